"""What the back office shows or does with data it does not own.

The apps above it (``privacy``, ``retention``, ``marketing``) use the back office's staff
roles, access log and customer relationships, so the back office never imports them: they
register here, in their ``AppConfig.ready()``.

- dashboard panels: template context for the staff dashboard, shown to staff who may see
  the panel's category (``backoffice.permissions``);
- setup steps: run by ``manage.py backoffice_setup`` with the first administrator;
- the consent check of the product usage statistics (``backoffice.services.usage``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from accounts.models import User


@dataclass(frozen=True)
class DashboardPanel:
    # The operator category (backoffice.permissions.OperatorCategory) the panel shows data of.
    category: str
    # Template context of the panel (aggregates only: the dashboard shows no personal data).
    context: Callable[[], dict[str, Any]]


# Returns a line for the command's output, or "" when it had nothing to do.
SetupStep = Callable[[User], str]
# The ids among the given users who consented to product analytics.
UsageConsent = Callable[[set[int]], set[int]]

_panels: list[DashboardPanel] = []
_setup_steps: list[SetupStep] = []
_usage_consent: list[UsageConsent] = []


def register_dashboard_panel(panel: DashboardPanel) -> None:
    _panels.append(panel)


def dashboard_panels() -> Iterable[DashboardPanel]:
    return tuple(_panels)


def register_setup_step(step: SetupStep) -> None:
    _setup_steps.append(step)


def setup_steps() -> Iterable[SetupStep]:
    return tuple(_setup_steps)


def register_usage_consent(check: UsageConsent) -> None:
    """The one consent check of the usage statistics (the app that records consents)."""
    if _usage_consent:
        raise RuntimeError("A usage consent check is already registered.")
    _usage_consent.append(check)


def usage_consenting(user_ids: set[int]) -> set[int]:
    """Those of ``user_ids`` whose use may be counted: nobody's without a registered check
    (the statistics' legal basis is consent)."""
    return _usage_consent[0](user_ids) if _usage_consent else set()
