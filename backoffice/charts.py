"""Server-rendered SVG charts (no JavaScript, no inline styles: classes in backoffice.css)."""

from __future__ import annotations

import datetime
from typing import Any

from privacy.selectors import daily_page_stats

WIDTH = 720
HEIGHT = 240
PAD_LEFT = 48
PAD_BOTTOM = 28
PAD_TOP = 12
PAD_RIGHT = 12


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        top = step * magnitude
        if top >= value:
            return top
    return value


def page_view_chart(*, since: datetime.date, days: int) -> dict[str, Any]:
    """Page views (bars) and unique visitors (line) per day, summed over all paths."""
    per_day: dict[datetime.date, dict[str, int]] = {
        since + datetime.timedelta(days=i): {"views": 0, "visitors": 0} for i in range(days)
    }
    for row in daily_page_stats(since=since):
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
                "x": round(x + slot * 0.15, 1),
                "y": round(PAD_TOP + plot_h - h, 1),
                "w": round(slot * 0.7, 1),
                "h": round(h, 1),
                "day": day,
                "views": counts["views"],
                "visitors": counts["visitors"],
            }
        )
        vy = PAD_TOP + plot_h - plot_h * counts["visitors"] / top
        points.append(f"{round(x + slot / 2, 1)},{round(vy, 1)}")
        if i % 7 == 0 or i == days - 1:
            labels.append({"x": round(x + slot / 2, 1), "text": day.strftime("%d.%m")})
    grid = [
        {"y": round(PAD_TOP + plot_h - plot_h * f, 1), "value": round(top * f)}
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": PAD_LEFT,
        "right": WIDTH - PAD_RIGHT,
        "label_y": HEIGHT - 8,
        "bars": bars,
        "points": " ".join(points),
        "labels": labels,
        "grid": grid,
        "total_views": sum(v["views"] for v in per_day.values()),
        "total_visitors": sum(v["visitors"] for v in per_day.values()),
    }
