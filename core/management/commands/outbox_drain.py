"""Run every pending outbox message now (after a queue outage, or to check the backlog)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core import outbox


class Command(BaseCommand):
    help = "Runs the pending tasks of the durable outbox (those whose queue push failed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="only print the backlog; run nothing"
        )
        parser.add_argument("--limit", type=int, default=None, help="run at most this many")

    def handle(self, *args: Any, check: bool, limit: int | None, **options: Any) -> None:
        if not check:
            # By hand nobody waits for the pushed tasks: everything due runs now.
            result = outbox.outbox_drain(grace=datetime.timedelta(0), limit=limit)
            self.stdout.write(f"ran={result['ran']} tried={result['tried']}")
        backlog = outbox.outbox_backlog()
        self.stdout.write(
            f"pending={backlog['pending']} failed={backlog['failed']} "
            f"oldest_pending_seconds={backlog['oldest_pending_seconds']}"
        )
