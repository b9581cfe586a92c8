"""The bar chart's y axis: labels a person can read, and room for them."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from reports import charts


def _chart(*values: str, names: list[str] | None = None) -> charts.Chart:
    """One series of ``values``, under ``names`` (default "M0", "M1", ...)."""
    return charts.bar_chart(
        title="Salg",
        description="Salg",
        categories=names or [f"M{n}" for n in range(len(values))],
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


def _named(*names: str) -> charts.Chart:
    return _chart(*(str(1000 * (n + 1)) for n in range(len(names))), names=list(names))


def test_months_fit_under_their_bars_level():
    chart = _named(*(f"{month} 26" for month in ("jan", "feb", "mar", "apr", "mai", "jun")))

    assert not any(label.turned for label in chart.labels)
    assert [label.text for label in chart.labels][:2] == ["jan 26", "feb 26"]
    assert chart.height == charts.HEIGHT


def test_twelve_client_names_are_turned_cut_and_given_room():
    names = [f"Viktransport {n} Aktieselskap" for n in range(12)]
    chart = _named(*names)

    assert all(label.turned for label in chart.labels)
    first = chart.labels[0]
    assert first.full == names[0] and first.text == names[0][:17] + "…"
    assert len(first.text) == charts.LABEL_MAX_TURNED
    assert chart.labels[1].text == "Viktransport 1 Ak…"
    # The first one ends under its group and starts inside the chart.
    width = charts.LABEL_COSINE * len(first.text) * charts.LABEL_CHARACTER_WIDTH
    assert first.x - width >= 0
    # The chart is taller by what a turned name of that length needs, so none is cut off.
    needed = charts.LABEL_SINE * charts.LABEL_MAX_TURNED * charts.LABEL_CHARACTER_WIDTH
    assert chart.height >= first.y + needed > charts.HEIGHT
    # Each bar's tooltip names the whole client.
    assert chart.bars[0].label.startswith(names[0])


def test_the_chart_shows_a_cut_names_whole_text_as_its_tooltip():
    from django.template.loader import render_to_string

    chart = _named(*(f"Viktransport {n} Aktieselskap" for n in range(12)), "Kort")
    html = render_to_string("reports/_chart.html", {"chart": chart, "chart_id": "c"})

    assert "<title>Viktransport 0 Aktieselskap</title>Viktransport 0 Ak…</text>" in html
    assert "rotate(-35 " in html and ">Kort</text>" in html
    assert f'viewBox="0 0 {charts.WIDTH} {chart.height}"' in html
