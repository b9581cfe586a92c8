"""The rules the retention engine runs (R7, design.md §5).

A rule is a data-category handler (``core.personal_data.handlers.Handler``) with a
``targets`` function; each app registers its handlers in its ``privacy.py`` and keeps the
target functions in its own ``retention.py`` (helpers and ``Context`` / ``Target`` in
``core.personal_data.retention``). The engine imports none of them: it reads the registry.
Each target function selects, for a given day, the rows whose retention period is over and
says what happens to them (deleted, or anonymised where figures must stay consistent). The
daily run, the dry run and the "storage and deletion routines" document all read the one
list of handlers (``rules()``).

A rule selects on facts that no other rule changes (dates, relationship status, legal
holds), and never selects a row it has already handled, so the dry run predicts the real
run exactly and a second run finds nothing more.
"""

from __future__ import annotations

from core.personal_data.handlers import Handler, handler, retention_handlers
from core.personal_data.retention import Action as Action


def rules() -> list[Handler]:
    """The rules the engine runs: the registered handlers that have retention targets."""
    return retention_handlers()


def rule(key: str) -> Handler:
    return handler(key)
