"""The bar chart's y axis: labels a person can read, and room for them."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from reports import charts


def _chart(*values: str) -> charts.Chart:
    return charts.bar_chart(
        title="Salg",
        description="Salg per måned",
        categories=[f"M{n}" for n in range(len(values))],
        series=[[Decimal(value) for value in values]],
        series_names=["Salg"],
    )


def test_small_amounts_are_labelled_in_whole_kroner():
    chart = _chart("12000", "31500")

    assert [tick.label for tick in chart.ticks] == [
        "0",
        "10\xa0000",
        "20\xa0000",
        "30\xa0000",
        "40\xa0000",
    ]


def test_billions_are_labelled_in_billions_and_the_plot_leaves_room_for_them():
    with translation.override("nb"):
        chart = _chart("9476667322", "2100000000")

    assert [tick.label for tick in chart.ticks] == ["0", "5 mrd.", "10 mrd."]
    # Every label ends at the plot's left edge and starts inside the view box.
    longest = max(len(tick.label) for tick in chart.ticks)
    assert chart.plot_left - 6 - charts.LABEL_CHARACTER_WIDTH * longest >= 0
    assert all(bar.x >= chart.plot_left for bar in chart.bars)
    assert max(bar.x + bar.width for bar in chart.bars) <= chart.plot_right


def test_millions_with_a_half_step_and_negative_values():
    with translation.override("nb"):
        chart = _chart("1200000", "-300000")

    assert [tick.label for tick in chart.ticks] == [
        "-0,5 mill.",
        "0",
        "0,5 mill.",
        "1 mill.",
        "1,5 mill.",
    ]


def test_the_units_are_translated():
    with translation.override("en"):
        chart = _chart("2500000000")

    assert [tick.label for tick in chart.ticks] == ["0", "1 bn", "2 bn", "3 bn"]


def test_a_long_label_moves_the_plot_right_and_a_short_one_keeps_the_minimum():
    wide = _chart("-400000", "400000")  # "-400 000"
    narrow = _chart("40", "90")

    assert narrow.plot_left == charts.MARGIN_LEFT_MIN
    assert wide.plot_left > charts.MARGIN_LEFT_MIN
