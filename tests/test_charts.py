"""The charts' layout and colours, without the database: month, quarter and year labels that
fit, round axis steps, and one palette of levels that reads in grayscale and for the common
colour-vision deficiencies, the same in app.css as in the charts."""

import itertools
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from assessments import charts
from assessments.metrics import Period
from assessments.models import LEVEL_COLOURS, LEVEL_LETTERS, Level, add_months

CSS = Path(settings.BASE_DIR, "static", "css", "app.css").read_text(encoding="utf-8")


def months(first: date, count: int, kind: str = "month", **numbers) -> list[Period]:
    step = charts.MONTHS_IN[kind]
    return [Period(add_months(first, n * step), kind, **numbers) for n in range(count)]


def labelled(series: list[Period], layout: str) -> list[str]:
    columns = charts.together(series, turn_up_level=2, together_count=3, jobs=[], changes={}).columns
    return [c.period.label for c in columns if layout in c.layouts.split()]


# Labels under the plots ----------------------------------------------------------------


def test_twelve_months_are_each_labelled_on_a_laptop_and_every_third_on_a_phone():
    year = months(date(2025, 12, 1), 12)
    assert labelled(year, "wide") == [p.label for p in year]
    assert labelled(year, "wide")[:2] == ["Dec 2025", "Jan 2026"]
    assert labelled(year, "narrow") == ["Jan 2026", "Apr 2026", "Jul 2026", "Oct 2026"]


def test_five_years_of_months_are_labelled_on_round_months_that_fit():
    five = months(date(2021, 12, 1), 60)
    assert labelled(five, "wide") == [f"{m} {y}" for y in range(2022, 2027) for m in ("Jan", "Jul")]
    assert labelled(five, "narrow") == ["Jan 2022", "Jan 2024", "Jan 2026"]
    for layout, width in charts.PLOT_WIDTHS.items():
        assert len(labelled(five, layout)) * charts.TICK_ROOM["month"] <= width


def test_quarters_read_q1_to_q4_and_years_read_as_years():
    quarters = months(date(2015, 4, 1), 40, "quarter")
    assert labelled(quarters, "wide")[:3] == ["Q1 2016", "Q1 2017", "Q1 2018"]
    assert all(re.fullmatch(r"Q[1-4] \d{4}", p.label) for p in quarters)
    years = months(date(1970, 1, 1), 57, "year")
    assert labelled(years, "wide") == [str(y) for y in range(1970, 2027, 5)]
    assert labelled(years, "narrow") == [str(y) for y in range(1970, 2027, 10)]


# Axes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("highest", "ticks"),
    [
        (3, [0, 1, 2, 3]),
        (5, [0, 1, 2, 3, 4, 5]),
        (7, [0, 2, 4, 6, 8]),
        (13, [0, 5, 10, 15]),
        (50, [0, 10, 20, 30, 40, 50]),
    ],
)
def test_the_bar_charts_axis_counts_in_round_steps_up_to_fifty_triggers(highest, ticks):
    series = months(date(2026, 1, 1), 12, checkins=1, at_level=(0, 0, highest, 0), turning_up=highest)
    chart = charts.together(series, turn_up_level=2, together_count=3, jobs=[], changes={})
    assert [int(t.label) for t in chart.ticks] == ticks
    assert chart.ticks[0].y == chart.bottom and chart.ticks[-1].y >= chart.top


@pytest.mark.parametrize(("value", "shown"), [(2, "2"), (2.0, "2"), (0.5, "0.5"), (1 / 3, "0.33")])
def test_numbers_in_hover_text_read_as_counts_or_short_means(value, shown):
    assert charts.number(value) == shown


# The levels' palette -------------------------------------------------------------------


def custom_properties(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", block))


def css_palette(scheme: str) -> dict[Level, str]:
    light = CSS[CSS.index(":root {") : CSS.index("}", CSS.index(":root {"))]
    dark_start = CSS.index("@media screen and (prefers-color-scheme: dark)")
    dark = CSS[dark_start : CSS.index("}", dark_start)]
    found = custom_properties(light if scheme == "light" else dark)
    return {level: found[f"level-{level.value}"].lower() for level in Level}


def linear(colour: str) -> list[float]:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return [channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5)]


def lab(rgb: list[float]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of a linear sRGB colour."""
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


# How people with each kind of dichromacy see a colour: Machado, Oliveira and Fernandes (2009),
# at full severity, in linear RGB.
DICHROMACY = {
    "protanopia": [
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ],
    "deuteranopia": [
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ],
    "tritanopia": [
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ],
}


def seen(colour: str, kind: str | None = None) -> tuple[float, float, float]:
    rgb = linear(colour)
    if kind:
        rgb = [min(1, max(0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in DICHROMACY[kind]]
    return lab(rgb)


def lightness(colour: str) -> float:
    return seen(colour)[0]


def luminance(colour: str) -> float:
    r, g, b = linear(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_stylesheet_holds_the_same_level_colours_as_the_charts(scheme):
    assert css_palette(scheme) == {level: colour.lower() for level, colour in LEVEL_COLOURS[scheme].items()}


def test_on_paper_and_a_light_screen_a_stronger_level_is_darker_in_grayscale():
    shades = [lightness(LEVEL_COLOURS["light"][level]) for level in Level]
    assert shades == sorted(shades, reverse=True)  # Not present lightest, Strong darkest
    assert all(a - b >= 15 for a, b in itertools.pairwise(shades)), shades


def test_on_a_dark_screen_a_stronger_level_stands_out_more_from_the_page():
    dark = CSS[CSS.index("@media screen and (prefers-color-scheme: dark)") :]
    page = custom_properties(dark[: dark.index("}")])["bg"]
    shades = [lightness(LEVEL_COLOURS["dark"][level]) for level in Level]
    assert shades == sorted(shades)
    assert all(b - a >= 10 for a, b in itertools.pairwise(shades)), shades
    assert shades[0] > lightness(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", [None, *DICHROMACY])
def test_the_levels_stay_apart_for_the_common_colour_vision_deficiencies(scheme, kind):
    colours = [LEVEL_COLOURS[scheme][level] for level in Level]
    for a, b in itertools.combinations(colours, 2):
        distance = sum((x - y) ** 2 for x, y in zip(seen(a, kind), seen(b, kind), strict=True)) ** 0.5
        assert distance >= 20, (scheme, kind, a, b, distance)  # ΔE*ab: plainly different


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_letter_on_each_levels_colour_is_readable(scheme):
    block = CSS if scheme == "light" else CSS[CSS.index("@media screen and (prefers-color-scheme: dark)") :]
    found = custom_properties(block[: block.index("}")])
    for level in Level:
        text = found[f"level-{level.value}-text"]
        text = "#" + "".join(c * 2 for c in text[1:]) if len(text) == 4 else text
        assert contrast(text, LEVEL_COLOURS[scheme][level]) >= 4.5, (scheme, level.label)


def test_the_heatmap_writes_each_levels_letter_as_the_export_does():
    for level in Level:
        rule = f".heatmap .l{level.value}::before, .cell.l{level.value}::before"
        assert f'{rule} {{ content: "{LEVEL_LETTERS[level]}";' in CSS
