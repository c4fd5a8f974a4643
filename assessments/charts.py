"""The dashboard's Plotly figures, built in Python and drawn by static/js/dashboard.js.

Colours are from the Okabe–Ito palette, which stays distinguishable with the common
kinds of colour blindness; every chart also has a table beside it.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

import plotly.graph_objects as go
from django.utils.html import escape

from .forms import CheckInForm
from .metrics import MONTHS_IN, Period
from .models import SCORE_FIELDS, Job, Level, add_months

LEVEL_COLOURS = {
    Level.NOT_PRESENT: "#9aa5b1",
    Level.FAINT: "#56B4E9",
    Level.CLEAR: "#E69F00",
    Level.STRONG: "#D55E00",
}
LINE_COLOURS = {"wellbeing": "#009E73", "satisfaction": "#0072B2", "energy": "#CC79A7"}
MARGIN = {"l": 45, "r": 20, "t": 30, "b": 40}
LEGEND = {"orientation": "h", "y": -0.15}  # under the plot
# Margins with room for the legend under the plot: plotly.js grows margins to fit what they
# hold, but then draws the whole chart a second time.
LEGEND_MARGIN = {**MARGIN, "b": 73}


# Instead of plotly's default template, which is 7 KB in every figure for plotly.js to apply
# to each trace and axis, the little of it that shows here. Colours and fonts are the page's
# own (static/js/dashboard.js). Tick labels may "overflow": the margins grow to fit them, and
# otherwise plotly.js measures every label again for each label it places.
AXIS = {"ticks": "", "automargin": True, "title": {"standoff": 15}, "ticklabeloverflow": "allow"}
TEMPLATE = {"layout": {"xaxis": AXIS, "yaxis": AXIS, "hoverlabel": {"align": "left"}}}  # yaxis2 too


def _figure(traces, columns: list[dict], **layout) -> dict:
    """A figure checked by plotly, with each trace's data columns joined afterwards:
    checking thousands of values one by one costs more than the rest of the dashboard."""
    layout = {"template": TEMPLATE, "margin": MARGIN, "hovermode": "closest", **layout}
    figure = go.Figure(traces, layout=layout).to_plotly_json()
    for trace, data in zip(figure["data"], columns, strict=True):
        trace.update(data)
    return figure


def _short(title: str, length: int = 40) -> str:
    """Shortened and escaped: Plotly reads a little HTML in labels, users' text must not be."""
    return escape(title if len(title) <= length else title[: length - 1] + "…")


def _trigger_axis(triggers: list, length: int) -> dict:
    # Positions, not titles, as categories: two titles may shorten to the same label.
    return {
        "tickvals": list(range(len(triggers))),
        "ticktext": [_short(t.title, length) for t in triggers],
    }


def _hover_labels(series: list[Period]) -> list[str]:
    """Each period's name in hover text; a longer period's numbers are means per check-in."""
    return [
        p.label
        if p.kind == "month"
        else f"{p.label} (mean of {p.checkins} check-in{'' if p.checkins == 1 else 's'})"
        for p in series
    ]


def _values(series: list[Period], value) -> list[float | None]:
    """`value` of each period, None for a period without check-ins (a gap, never a zero)."""
    return [None if not p.checkins or value(p) is None else round(value(p), 2) for p in series]


def together(series: list[Period], *, turn_up_level: int, together_count: int, jobs: list[Job]):
    """Triggers turning up per period, stacked by level, with the together line and job changes."""
    months = [p.start for p in series]
    levels = [level for level in Level if level >= turn_up_level]
    traces = [
        go.Bar(
            name=level.label,
            marker_color=LEVEL_COLOURS[level],
            hovertemplate=f"%{{customdata}}: %{{y}} {level.label}<extra></extra>",
        )
        for level in levels
    ]
    labels = _hover_labels(series)
    columns = [
        {"x": months, "y": _values(series, lambda p, level=level: p.at_level[level]), "customdata": labels}
        for level in levels
    ]
    shapes = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": together_count,
            "y1": together_count,
            "line": {"dash": "dash", "width": 2, "color": "#D55E00"},
        },
    ]
    annotations = [
        {
            "xref": "paper",
            "x": 0,
            "y": together_count,
            "yanchor": "bottom",
            "xanchor": "left",
            "text": f"together: {together_count}",
            "showarrow": False,
        },
    ]
    for job in jobs:
        if series and months[0] <= job.start < _end(series):
            shapes.append(
                {
                    "type": "line",
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "x0": job.start,
                    "x1": job.start,
                    "line": {"dash": "dot", "width": 1.5, "color": "#0072B2"},
                }
            )
            annotations.append(
                {
                    "yref": "paper",
                    "y": 1,
                    "x": job.start,
                    "yanchor": "bottom",
                    "text": f"→ {escape(job.employer)}",
                    "showarrow": False,
                }
            )
    return _figure(
        traces,
        columns,
        barmode="stack",
        shapes=shapes,
        annotations=annotations,
        yaxis={"title": {"text": "triggers turning up"}, "rangemode": "tozero", "dtick": 1},
        xaxis={"type": "date", "range": _padded(series)},
        legend=LEGEND,
        margin=LEGEND_MARGIN,
    )


def _end(series: list[Period]) -> date:
    """The day after the last period."""
    return add_months(series[-1].start, MONTHS_IN[series[-1].kind])


def _padded(series: list[Period]) -> list[date]:
    """An x range that shows every period of the range, even empty ones at either end."""
    if not series:
        return []
    half = timedelta(days=15 * MONTHS_IN[series[0].kind])
    return [series[0].start - half, series[-1].start + half]


def heatmap(
    months: list[date],
    triggers: list,
    cells: Mapping[tuple[Any, date], tuple[int, str]],  # keyed by (row's pk, period)
    labels: list[str] | None = None,
) -> dict:
    """Trigger × period levels; missing ratings are blank cells, not zeros. Each cell is
    (level, a line to show under it: the note)."""
    labels = labels or [f"{m:%b %Y}" for m in months]
    z, text = [], []
    for trigger in triggers:
        title = _short(trigger.title)
        rated = [cells.get((trigger.pk, m)) for m in months]
        z.append([cell and cell[0] for cell in rated])
        text.append([_hover(title, label, cell) for label, cell in zip(labels, rated, strict=True)])
    scale, bands = [], len(Level)  # one solid band of colour per level
    for level in Level:
        scale += [[level / bands, LEVEL_COLOURS[level]], [(level + 1) / bands, LEVEL_COLOURS[level]]]
    return _figure(
        [
            go.Heatmap(
                y=list(range(len(triggers))),
                hovertemplate="%{text}<extra></extra>",
                zmin=Level.NOT_PRESENT - 0.5,
                zmax=Level.STRONG + 0.5,
                colorscale=scale,
                xgap=1,
                ygap=1,
                # No colour bar: plotly.js draws its gradient with a style attribute, which the
                # CSP refuses. The page shows the four levels as a legend of its own instead.
                showscale=False,
            )
        ],
        [{"x": months, "z": z, "text": text}],
        height=max(260, 28 * len(triggers) + 90),
        margin={**MARGIN, "l": 10},
        yaxis={"autorange": "reversed", "automargin": True, **_trigger_axis(triggers, 40)},
        xaxis={"type": "date"},
    )


def _hover(title: str, month: str, cell: tuple[int, str] | None) -> str:
    if cell is None:
        return f"{title}<br>{month}: not rated"
    level, note = cell
    # No <b> or <i>: plotly.js draws those with a style attribute, which the CSP refuses.
    text = f"{title}<br>{month}: {Level(level).label}"
    return f"{text}<br>{_short(note, 120)}" if note else text


def co_occurrence(triggers: list, counts: dict[tuple[int, int], int], alone: dict[int, int]) -> dict:
    """How often each pair of triggers turned up in the same check-in."""
    ids = [t.pk for t in triggers]
    z = [[alone.get(i, 0) if i == j else counts.get((min(i, j), max(i, j)), 0) for j in ids] for i in ids]
    positions = list(range(len(triggers)))
    return _figure(
        [
            go.Heatmap(
                x=positions,
                y=positions,
                z=z,
                text=[[f"{_short(a.title)} & {_short(b.title)}" for b in triggers] for a in triggers],
                colorscale=[[0, "#f2f2f2"], [1, "#0072B2"]],
                zmin=0,
                hovertemplate="%{text}: %{z} check-ins<extra></extra>",
                texttemplate="%{z}",
                # Gaps also keep plotly.js from its "fast" drawing, which sets a style attribute.
                xgap=1,
                ygap=1,
                showscale=False,  # the counts are written in the cells
            )
        ],
        [{}],
        height=max(300, 30 * len(triggers) + 160),
        margin={**MARGIN, "l": 10, "b": 10},
        yaxis={"autorange": "reversed", "automargin": True, **_trigger_axis(triggers, 30)},
        xaxis={"automargin": True, "tickangle": -40, **_trigger_axis(triggers, 30)},
    )


def wellbeing(series: list[Period]) -> dict:
    """Wellbeing, satisfaction and energy (1–5) with weekly hours on a second axis."""
    months = [p.start for p in series]
    traces = [
        go.Scatter(
            name=CheckInForm.base_fields[field].label,
            mode="lines+markers",
            connectgaps=False,
            line={"color": LINE_COLOURS[field], "dash": dash},
            marker={"symbol": symbol, "size": 8},
            hovertemplate=f"%{{customdata}}: {CheckInForm.base_fields[field].label} %{{y}}<extra></extra>",
        )
        for field, dash, symbol in (
            ("wellbeing", "solid", "circle"),
            ("satisfaction", "dash", "square"),
            ("energy", "dot", "diamond"),
        )
    ]
    traces.append(
        go.Bar(
            name="Weekly hours",
            yaxis="y2",
            marker_color="rgba(128,128,128,0.2)",
            hovertemplate="%{customdata}: %{y} hours a week<extra></extra>",
        )
    )
    labels = _hover_labels(series)
    columns = [
        {"x": months, "y": _values(series, lambda p, field=field: getattr(p, field)), "customdata": labels}
        for field in (*SCORE_FIELDS, "hours")
    ]
    return _figure(
        traces,
        columns,
        yaxis={"range": [0.5, 5.5], "dtick": 1, "title": {"text": "1–5"}},
        yaxis2={
            "overlaying": "y",
            "dtick": 10,
            "side": "right",
            "rangemode": "tozero",
            "title": {"text": "hours"},
            "showgrid": False,
        },
        xaxis={"type": "date", "range": _padded(series)},
        legend=LEGEND,
        margin={**LEGEND_MARGIN, "r": 53},  # and room for the hours axis
    )


# The 1:1 export's heatmap -------------------------------------------------------------
# An HTML table rather than a plotly figure: it prints crisply at any size, needs no
# JavaScript (a shared link's page works without it), and a letter in each cell reads in
# black and white. Its colours (static/css/app.css, .lv-N) darken as the level rises.

LEVEL_LETTERS = {Level.NOT_PRESENT: "–", Level.FAINT: "F", Level.CLEAR: "C", Level.STRONG: "S"}
SCORE_ROWS = [("Wellbeing", "wellbeing"), ("Job satisfaction", "satisfaction"), ("Energy", "energy")]


class Cell(NamedTuple):
    level: int
    letter: str
    name: str


@dataclass
class HeatTable:
    months: list[date]
    triggers: list[tuple[str, list[Cell | None]]]  # a shown trigger's level each month, None: not rated
    themes: list[tuple[str, list[int | None]]]  # a "theme only" theme's count each month
    scores: list[tuple[str, list[int | None]]]


def handout_heatmap(export) -> HeatTable | None:
    """The export's triggers × months, strongest in the latest month first, then its theme
    counts and scores: the same facts as its months, laid out to be read at a glance. An
    export covers at most twelve months, so one table fits a page's width."""
    months = list(reversed(export.months))  # oldest first, as a timeline reads
    levels: defaultdict[str, dict[int, Level]] = defaultdict(dict)  # label → month index → level
    counts: defaultdict[str, dict[int, int]] = defaultdict(dict)  # theme's label → month index → count
    for index, month in enumerate(months):
        for line in month.lines:
            levels[line.label][index] = Level(line.level)
        for theme, count in month.themes:
            counts[f"{theme} (theme only)"][index] = count
    latest = len(months) - 1

    def strongest(label):
        cells = levels[label]
        return (-cells.get(latest, -1), -sum(cells.values()), label)

    span = range(len(months))
    scores = []
    if export.scores:
        scores = [(label, [getattr(m, name) for m in months]) for label, name in SCORE_ROWS]
        scores.append(("Weekly hours", [m.hours for m in months]))
    if not (levels or counts or scores):
        return None
    return HeatTable(
        months=[month.month for month in months],
        triggers=[
            (label, [_cell(levels[label].get(i)) for i in span]) for label in sorted(levels, key=strongest)
        ],
        themes=[(label, [counts[label].get(i) for i in span]) for label in sorted(counts)],
        scores=scores,
    )


def _cell(level: Level | None) -> Cell | None:
    return None if level is None else Cell(level, LEVEL_LETTERS[level], level.label)
