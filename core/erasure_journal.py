"""The erasure journal: which people were erased, and when — kept outside the database.

A restore puts back the database as it was when the backup was made. Without this
journal, everybody erased since then would come back. Each erasure appends one line
(``{"at": ..., "kind": "user", "id": 42}``: ids only, no personal data) to a file that
backups do not contain and restores do not touch (``ERASURE_JOURNAL_PATH``, by default
``var/erasure-journal.jsonl``; put it on another disk than the database in production).
After a restore the privacy app replays every entry (erasing twice changes nothing).
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class JournalEntry:
    at: datetime.datetime
    kind: str
    object_id: int


def journal_path() -> Path:
    return Path(settings.ERASURE_JOURNAL_PATH)


def journal_append(*, kind: str, object_id: int) -> None:
    """Append one entry and flush it to disk before returning."""
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {"at": datetime.datetime.now(tz=datetime.UTC).isoformat(), "kind": kind, "id": object_id}
    )
    # O_APPEND writes of one short line are atomic, so concurrent workers do not interleave.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def journal_entries(*, path: Path | None = None) -> Iterator[JournalEntry]:
    """Every entry, oldest first; a damaged line is skipped rather than stopping a restore."""
    path = path or journal_path()
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            try:
                data = json.loads(raw)
                yield JournalEntry(
                    at=datetime.datetime.fromisoformat(data["at"]),
                    kind=str(data["kind"]),
                    object_id=int(data["id"]),
                )
            except (ValueError, KeyError, TypeError):
                continue
