"""Server-rendered SVG charts (no JavaScript, no inline styles: classes in backoffice.css)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

WIDTH = 720
HEIGHT = 240
PAD_LEFT = 48
PAD_BOTTOM = 28
PAD_TOP = 12
PAD_RIGHT = 12


def _n(value: float) -> str:
    """A coordinate as SVG needs it: a dot, never the locale's decimal comma."""
    return f"{value:.1f}"


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        top = step * magnitude
        if top >= value:
            return top
    return value


def page_view_chart(
    rows: Iterable[dict[str, Any]], *, since: datetime.date, days: int
) -> dict[str, Any]:
    """Page views (bars) and unique visitors (line) per day, summed over all paths.

    ``rows``: ``day``, ``views`` and ``visitors`` (``privacy.selectors.daily_page_stats``)."""
    per_day: dict[datetime.date, dict[str, int]] = {
        since + datetime.timedelta(days=i): {"views": 0, "visitors": 0} for i in range(days)
    }
    for row in rows:
        if row["day"] in per_day:
            per_day[row["day"]]["views"] += row["views"]
            per_day[row["day"]]["visitors"] += row["visitors"]
    top = _nice_max(max((v["views"] for v in per_day.values()), default=0))
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / days
    bars, points, labels = [], [], []
    for i, (day, counts) in enumerate(sorted(per_day.items())):
        x = PAD_LEFT + i * slot
        h = plot_h * counts["views"] / top
        bars.append(
            {
                "x": _n(x + slot * 0.15),
                "y": _n(PAD_TOP + plot_h - h),
                "w": _n(slot * 0.7),
                "h": _n(h),
                "day": day,
                "views": counts["views"],
                "visitors": counts["visitors"],
            }
        )
        vy = PAD_TOP + plot_h - plot_h * counts["visitors"] / top
        points.append(f"{_n(x + slot / 2)},{_n(vy)}")
        if (days - 1 - i) % 7 == 0:
            labels.append({"x": _n(x + slot / 2), "text": day.strftime("%d.%m")})
    grid = [
        {"y": _n(PAD_TOP + plot_h - plot_h * f), "value": round(top * f)}
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": str(PAD_LEFT),
        "axis_x": str(PAD_LEFT - 6),
        "right": str(WIDTH - PAD_RIGHT),
        "label_y": str(HEIGHT - 8),
        "bars": bars,
        "points": " ".join(points),
        "labels": labels,
        "grid": grid,
        "total_views": sum(v["views"] for v in per_day.values()),
        "total_visitors": sum(v["visitors"] for v in per_day.values()),
    }
