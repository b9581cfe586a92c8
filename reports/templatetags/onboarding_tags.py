"""The getting-started checklist on the dashboard (core's dashboard template loads it)."""

from __future__ import annotations

from typing import Any

from django import template

from reports.onboarding import getting_started_steps

register = template.Library()


@register.inclusion_tag("reports/_getting_started.html", takes_context=True)
def getting_started(context: Any) -> dict[str, Any]:
    steps = getting_started_steps(company=context["company"])
    done = sum(step.done for step in steps)
    membership = context.get("membership")
    return {
        "steps": [(step, step.may_open(membership)) for step in steps],
        "done": done,
        "total": len(steps),
        "complete": done == len(steps),
    }
