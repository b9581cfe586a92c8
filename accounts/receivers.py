"""Hooks into other packages' signals; each calls a service and nothing else."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver

from accounts import services


@receiver(user_locked_out, dispatch_uid="accounts.lockout_notify")
def lockout_notify(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    services.user_lockout_notify(username=username or "", ip_address=kwargs.get("ip_address"))
