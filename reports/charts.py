"""Server-rendered SVG bar charts (no JavaScript). The figures are also shown as a table
next to every chart, so the chart is ``role="img"`` with a title and a description."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.money import ZERO, format_nok

WIDTH = 720
HEIGHT = 260
MARGIN_LEFT = 80
MARGIN_BOTTOM = 40
MARGIN_TOP = 16
PLOT_HEIGHT = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
PLOT_WIDTH = WIDTH - MARGIN_LEFT - 10


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    label: str  # the value as text (tooltip)


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class Chart:
    title: str
    description: str
    series_names: list[str]
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    baseline: float = 0.0
    plot_left: int = MARGIN_LEFT
    plot_right: int = WIDTH - 10


def _nice_step(span: Decimal) -> Decimal:
    if span <= 0:
        return Decimal(1)
    raw = span / 4
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal("0.01")
    for factor in (1, 2, 5, 10):
        step = magnitude * factor
        if step >= raw:
            return step
    return magnitude * 10


def bar_chart(
    *,
    title: str,
    description: str,
    categories: list[str],
    series: list[list[Decimal]],
    series_names: list[str],
) -> Chart:
    """Grouped bars: one group per category, one bar per series (values may be negative)."""
    chart = Chart(title=title, description=description, series_names=series_names)
    values = [value for values in series for value in values] or [ZERO]
    top = max(max(values), ZERO)
    bottom = min(min(values), ZERO)
    step = _nice_step(top - bottom)
    top = (top / step).to_integral_value(rounding="ROUND_CEILING") * step if top else ZERO
    bottom = (bottom / step).to_integral_value(rounding="ROUND_FLOOR") * step if bottom else ZERO
    if top == bottom:
        top = bottom + step
    span = float(top - bottom)

    def y_of(value: Decimal) -> float:
        return MARGIN_TOP + PLOT_HEIGHT * float(top - value) / span

    chart.baseline = y_of(ZERO)
    tick = bottom
    while tick <= top:
        chart.ticks.append(Tick(y=y_of(tick), label=format_nok(tick).rsplit(",", 1)[0]))
        tick += step
    groups = max(len(categories), 1)
    group_width = PLOT_WIDTH / groups
    bar_width = group_width * 0.8 / max(len(series), 1)
    for index, category in enumerate(categories):
        left = MARGIN_LEFT + index * group_width + group_width * 0.1
        chart.labels.append((left + group_width * 0.4, category))
        for number, values in enumerate(series):
            value = values[index] if index < len(values) else ZERO
            y = y_of(max(value, ZERO))
            height = abs(y_of(value) - chart.baseline)
            chart.bars.append(
                Bar(
                    x=round(left + number * bar_width, 1),
                    y=round(y, 1),
                    width=round(bar_width * 0.92, 1),
                    height=round(height, 1),
                    series=number,
                    label=f"{category} {series_names[number]}: {format_nok(value)}",
                )
            )
    return chart
