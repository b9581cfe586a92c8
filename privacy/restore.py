"""After a restore: erase again everybody the erasure journal says was erased.

The restored database is as old as the backup; people erased since then are back in it.
``core.erasure_journal`` kept their ids outside the database; this step erases each one
who is still active (an erased account is deactivated, so a second pass does nothing).
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core.backup import StepResult
from core.erasure_journal import journal_entries


def erasures_replay(backup_created_at: datetime.datetime) -> StepResult:
    from privacy.services.erasure import user_erase

    user_ids = {entry.object_id for entry in journal_entries() if entry.kind == "user"}
    pending = get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk")
    erased, problems = 0, []
    for user in pending:
        try:
            user_erase(user=user)
        except ValidationError as exc:
            problems.append(f"user {user.pk}: {' '.join(exc.messages)}")
        else:
            erased += 1
    lines = [f"{len(user_ids)} erasures in the journal; {erased} erased again after the restore."]
    lines += [f"NOT erased, do it by hand: {problem}" for problem in problems]
    return StepResult(name="erasure journal replayed", ok=not problems, lines=lines)
