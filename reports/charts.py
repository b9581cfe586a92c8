"""Server-rendered SVG bar charts (no JavaScript). The figures are also shown as a table
next to every chart, so the chart is ``role="img"`` with a title and a description."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import ZERO, format_nok

WIDTH = 720
HEIGHT = 260
MARGIN_RIGHT = 10
MARGIN_BOTTOM = 40
MARGIN_TOP = 16
PLOT_HEIGHT = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
# The y axis' labels are right-aligned at the plot's left edge, so the plot starts where
# the longest one fits: its characters at the chart's 11 px font (``app.css``), ~7 units
# wide each in the 720-unit view box, and a gap. A fixed margin cut the labels of a
# company whose sales reach billions ("000 000 000").
LABEL_CHARACTER_WIDTH = 7
LABEL_GAP = 12
MARGIN_LEFT_MIN = 48
# The categories' names: level when the longest fits its group, else turned; twelve
# clients' names side by side ran into each other.
LABEL_ANGLE = 35  # degrees, counter-clockwise
LABEL_MAX_TURNED = 18  # characters of a turned name; longer ones are cut with "…"
LABEL_SINE = 0.574  # sin(35°): the height a turned name takes per unit of its length
LABEL_COSINE = 0.819  # cos(35°): the width it takes to the left of its group
# Ticks from a million up are labelled in millions or billions ("2,5 mill."), not digits.
MILLION = Decimal(1_000_000)
BILLION = Decimal(1_000_000_000)


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
class AxisLabel:
    """A category's name under its group of bars: level and centred when every name fits
    its group's width, else turned (``LABEL_ANGLE``) and ending under the group, cut to
    ``LABEL_MAX_TURNED`` characters (``full``: the whole name, the label's tooltip)."""

    x: float
    y: float
    text: str
    full: str
    turned: bool = False


@dataclass
class Chart:
    title: str
    description: str
    series_names: list[str]
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    labels: list[AxisLabel] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    baseline: float = 0.0
    plot_left: int = MARGIN_LEFT_MIN
    plot_right: int = WIDTH - MARGIN_RIGHT
    label_angle: int = LABEL_ANGLE


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


def _tick_labeller(largest: Decimal) -> Callable[[Decimal], str]:
    """How the y axis writes its ticks, given the largest tick's size: whole kroner below
    a million, else in millions or billions with at most one decimal (zero as "0")."""
    if largest >= BILLION:
        unit, text = BILLION, _("%(amount)s mrd.")
    elif largest >= MILLION:
        unit, text = MILLION, _("%(amount)s mill.")
    else:
        return lambda tick: format_nok(tick).rsplit(",", 1)[0]
    return lambda tick: text % {"amount": _scaled(tick / unit)} if tick else "0"


def _scaled(value: Decimal) -> str:
    """``2,5`` for 2.5, ``9`` for 9: the Norwegian figure without a zero decimal (a nice
    step in millions or billions has at most one, ``_nice_step``)."""
    whole, decimals = format_nok(value).rsplit(",", 1)
    decimals = decimals[:1].rstrip("0")
    return f"{whole},{decimals}" if decimals else whole


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
    label = _tick_labeller(max(top, -bottom))
    tick = bottom
    while tick <= top:
        chart.ticks.append(Tick(y=y_of(tick), label=label(tick)))
        tick += step
    longest = max(len(tick.label) for tick in chart.ticks)
    chart.plot_left = max(MARGIN_LEFT_MIN, LABEL_GAP + LABEL_CHARACTER_WIDTH * longest)
    groups = max(len(categories), 1)
    widest = max((len(category) for category in categories), default=0)
    turned = widest * LABEL_CHARACTER_WIDTH > (chart.plot_right - chart.plot_left) / groups * 0.95
    label_y = MARGIN_TOP + PLOT_HEIGHT + (12 if turned else 20)
    if turned:
        # The chart grows downwards by what the longest turned name needs, and the plot
        # starts where the first one, ending under the first group, stays inside it.
        shown = min(widest, LABEL_MAX_TURNED) * LABEL_CHARACTER_WIDTH
        chart.height = round(label_y + LABEL_SINE * shown + 8)
        chart.plot_left = max(chart.plot_left, round(LABEL_COSINE * shown))
    group_width = (chart.plot_right - chart.plot_left) / groups
    bar_width = group_width * 0.8 / max(len(series), 1)
    for index, category in enumerate(categories):
        left = chart.plot_left + index * group_width + group_width * 0.1
        text = category
        if turned and len(category) > LABEL_MAX_TURNED:
            text = category[: LABEL_MAX_TURNED - 1].rstrip() + "…"
        chart.labels.append(
            AxisLabel(
                x=round(left + group_width * 0.4, 1),
                y=label_y,
                text=text,
                full=category,
                turned=turned,
            )
        )
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
