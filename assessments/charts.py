"""The dashboard's charts, laid out in Python and drawn by the page as SVG and HTML.

The bar and line charts are SVG: across, positions are percentages of the plot's width, so
the chart fills any screen without scaling its text; up and down, pixels. No script draws
them, so they show with the page, print crisply and read the same without JavaScript. Their
colours are the page's (app.css): the levels' palette (`models.LEVEL_COLOURS`), light or
dark with the screen.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from .forms import CheckInForm
from .metrics import MONTHS_IN, Period
from .models import LEVEL_LETTERS, SCORE_FIELDS, Job, Level, add_months

SCORES = [(name, str(CheckInForm.base_fields[name].label)) for name in SCORE_FIELDS]  # the lines
PLOT_HEIGHT = 200  # px, the bars' or lines' area
TOP = 20  # px above it, for the labels of the together line and a job change

# Labels under the plot: how much room one needs (px, with a gap), the steps that keep them
# on round months, quarters or years, and how wide the plot is in each of the page's layouts
# (app.css shows one set of labels per layout).
TICK_ROOM = {"month": 58, "quarter": 54, "year": 36}
TICK_STEPS = {
    "month": (1, 2, 3, 6, 12, 24, 60, 120),
    "quarter": (1, 2, 4, 8, 20, 40),
    "year": (1, 2, 5, 10, 20, 50),
}
PLOT_WIDTHS = {"wide": 700, "middle": 410, "narrow": 240}


@dataclass(frozen=True)
class Tick:
    y: float  # px from the top
    label: str


@dataclass(frozen=True)
class Column:
    """One period across the plot: where it lies (% of the plot's width) and what it says."""

    period: Period
    left: float
    width: float
    layouts: str  # the layouts whose labels include this period's: "wide middle narrow"
    title: str  # what hovering over the column shows

    @property
    def middle(self) -> float:
        return round(self.left + self.width / 2, 3)

    @property
    def bar_left(self) -> float:
        return round(self.left + self.width * 0.15, 3)

    @property
    def bar_width(self) -> float:
        return round(self.width * 0.7, 3)


@dataclass(frozen=True)
class Segment:
    """A piece of a stacked bar, or a bar of its own."""

    left: float  # %
    width: float  # %
    y: float  # px
    height: float  # px
    css: str = ""


@dataclass(frozen=True)
class Line:
    """A straight piece of a line series, between two neighbouring periods."""

    x1: float  # %
    y1: float  # px
    x2: float
    y2: float


@dataclass(frozen=True)
class Point:
    x: float  # %
    y: float  # px


@dataclass(frozen=True)
class JobChange:
    x: float  # %
    job: Job
    labelled: bool  # the latest is labelled on the chart; every one is listed under it

    @property
    def anchor(self) -> str:
        """Its label reads to the right of the line, or to the left near the right edge."""
        return "end" if self.x > 70 else "start"


@dataclass
class Chart:
    columns: list[Column]
    ticks: list[Tick]  # the left axis
    height: int = PLOT_HEIGHT
    top: int = TOP
    bars: list[Segment] = field(default_factory=list)
    # The bar chart's: where its together line is, and the job changes.
    together: Tick | None = None
    levels: list[Level] = field(default_factory=list)  # those stacked, from the foot up
    jobs: list[JobChange] = field(default_factory=list)
    changes: list[tuple[Column, str]] = field(default_factory=list)  # where the checklist changed
    # The line chart's: each series' pieces and points, and the hours' axis on the right.
    series: list[tuple[str, list[Line], list[Point]]] = field(default_factory=list)
    right_ticks: list[Tick] = field(default_factory=list)

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def svg_height(self) -> int:
        return self.bottom + 26  # and the labels under the plot

    @property
    def names(self) -> list[tuple[str, str]]:
        """The line series' names and labels."""
        return [(name, label) for name, label in SCORES if any(n == name for n, _, _ in self.series)]

    @property
    def missed(self) -> list[Column]:
        return [c for c in self.columns if c.period.missed]


def number(value: float) -> str:
    """1, 2.5 or 0.33: a count or a mean per check-in as it reads best."""
    return f"{round(value, 2):g}"


def _step(top: float, most_ticks: int = 5) -> int:
    """A round step for an axis from 0 to `top`, with at most `most_ticks` steps."""
    for step in (1, 2, 5, 10, 20, 25, 50):
        if top <= step * most_ticks:
            return step
    return 100


def _columns(series: list[Period], titles: list[str], changes: dict[date, str]) -> list[Column]:
    """The periods' columns; hovering over one where the checklist changed says how."""
    n = len(series)
    layouts = {layout: _labelled(series, width) for layout, width in PLOT_WIDTHS.items()}
    return [
        Column(
            period,
            round(100 * i / n, 3),
            round(100 / n, 3),
            " ".join(layout for layout, labelled in layouts.items() if period.start in labelled),
            f"{title}. Checklist: {changes[period.start]}" if period.start in changes else title,
        )
        for i, (period, title) in enumerate(zip(series, titles, strict=True))
    ]


def _changes(columns: list[Column], changes: dict[date, str]) -> list[tuple[Column, str]]:
    return [(column, changes[column.period.start]) for column in columns if column.period.start in changes]


def _labelled(series: list[Period], width: int) -> set[date]:
    """The periods whose labels fit under a plot `width` px wide: every one, else every
    second, third… on round months, quarters or years."""
    kind = series[0].kind

    def index(period: Period) -> int:
        if kind == "month":
            return period.start.year * 12 + period.start.month - 1
        if kind == "quarter":
            return period.start.year * 4 + period.quarter - 1
        return period.start.year

    for step in TICK_STEPS[kind]:
        chosen = {p.start for p in series if index(p) % step == 0}
        if len(chosen) * TICK_ROOM[kind] <= width:
            return chosen
    return {series[-1].start}


def _name(period: Period) -> str:
    """A period in hover text; a longer period's numbers are means of its check-ins."""
    if period.kind == "month":
        return period.label
    return f"{period.label} (mean of {period.checkins} check-in{'' if period.checkins == 1 else 's'})"


def _gap_title(period: Period) -> str:
    if period.missed:
        return f"{period.label}: no check-in"
    if period.gap == "open":
        return f"{period.label}: not checked in yet"
    return f"{period.label}: before your first check-in"


def together(
    series: list[Period],
    *,
    turn_up_level: int,
    together_count: int,
    jobs: list[Job],
    changes: dict[date, str],
) -> Chart:
    """Triggers turning up per period, stacked by level, with the together line and the job
    changes. A missed period is marked as missed; one with none turning up has a 0 on the axis."""
    levels = [level for level in Level if level >= turn_up_level]
    totals = [sum(p.at_level[level] for level in levels) if p.checkins else 0 for p in series]
    highest = max(*totals, together_count)
    step = _step(highest)
    top = step * math.ceil(highest / step)
    scale = PLOT_HEIGHT / top

    def y(value: float) -> float:
        return round(TOP + PLOT_HEIGHT - value * scale, 2)

    titles = []
    for period, total in zip(series, totals, strict=True):
        if not period.checkins:
            titles.append(_gap_title(period))
            continue
        parts = [f"{number(period.at_level[level])} {level.label}" for level in reversed(levels)]
        what = f"{number(total)} turning up: {', '.join(parts)}" if total else "none turning up"
        titles.append(f"{_name(period)}: {what}")
    columns = _columns(series, titles, changes)
    bars = []
    for column, total in zip(columns, totals, strict=True):
        period, base = column.period, 0.0
        if period.checkins and not total:  # checked in, nothing turning up: a mark on the axis
            bars.append(Segment(column.bar_left, column.bar_width, y(0) - 3, 3, "zero"))
        for level in levels if period.checkins else ():
            value = period.at_level[level]
            if value:
                bars.append(
                    Segment(
                        column.bar_left,
                        column.bar_width,
                        y(base + value),
                        round(value * scale, 2),
                        f"l{level}",
                    )
                )
                base += value
    return Chart(
        columns=columns,
        ticks=[Tick(y(v), str(v)) for v in range(0, top + 1, step)],
        bars=bars,
        together=Tick(y(together_count), f"together: {together_count}"),
        levels=levels,
        jobs=_job_changes(series, jobs),
        changes=_changes(columns, changes),
    )


def _job_changes(series: list[Period], jobs: list[Job]) -> list[JobChange]:
    """Where each job in the range started, the latest labelled: more labels would overlap."""
    kind, first = series[0].kind, series[0].start
    end = add_months(series[-1].start, MONTHS_IN[kind])
    found = []
    for job in sorted(jobs, key=lambda j: j.start):
        if not first <= job.start < end:
            continue
        months = (job.start.year - first.year) * 12 + job.start.month - first.month
        index, into = divmod(months, MONTHS_IN[kind])
        day = (job.start.day - 1) / 31
        x = 100 * (index + (into + day) / MONTHS_IN[kind]) / len(series)
        found.append(JobChange(round(x, 3), job, labelled=False))
    if found:
        found[-1] = JobChange(found[-1].x, found[-1].job, labelled=True)
    return found


def wellbeing(series: list[Period], changes: dict[date, str]) -> Chart:
    """Wellbeing, satisfaction and energy (1–5) as lines that break where a period was
    missed, with weekly hours as bars on an axis of their own."""

    def y(score: float) -> float:  # 0.5 at the foot, 5.5 at the top
        return round(TOP + PLOT_HEIGHT * (5.5 - score) / 5, 2)

    titles = []
    for period in series:
        if not period.checkins:
            titles.append(_gap_title(period))
            continue
        values = [(label, getattr(period, name)) for name, label in SCORES]
        parts = [f"{label} {'–' if value is None else number(value)}" for label, value in values]
        if period.hours is not None:
            parts.append(f"{number(period.hours)} hours a week")
        titles.append(f"{_name(period)}: {', '.join(parts)}")
    columns = _columns(series, titles, changes)
    lines = []
    for name, _label in SCORES:
        pieces, points, previous = [], [], None
        for column in columns:
            value = getattr(column.period, name) if column.period.checkins else None
            point = None if value is None else Point(column.middle, y(value))
            if point and previous:
                pieces.append(Line(previous.x, previous.y, point.x, point.y))
            if point:
                points.append(point)
            previous = point
        lines.append((name, pieces, points))
    hours = [c.period.hours for c in columns if c.period.checkins and c.period.hours is not None]
    bars, right = [], []
    if hours:
        step = _step(max(hours), 4)
        top = step * (math.floor(max(hours) / step) + 1)  # room above the longest week
        scale = PLOT_HEIGHT / top
        right = [Tick(round(TOP + PLOT_HEIGHT - v * scale, 2), str(v)) for v in range(0, int(top) + 1, step)]
        bars = [
            Segment(  # narrower than the bar chart's: they stay behind the lines
                round(c.left + c.width * 0.3, 3),
                round(c.width * 0.4, 3),
                round(TOP + PLOT_HEIGHT - c.period.hours * scale, 2),
                round(c.period.hours * scale, 2),
                "hours",
            )
            for c in columns
            if c.period.checkins and c.period.hours is not None
        ]
    return Chart(
        columns=columns,
        ticks=[Tick(y(score), str(score)) for score in range(1, 6)],
        bars=bars,
        series=lines,
        right_ticks=right,
        changes=_changes(columns, changes),
    )


# The 1:1 export's heatmap -------------------------------------------------------------
# An HTML table, like the dashboard's heatmap: it prints crisply at any size, needs no
# JavaScript (a shared link's page works without it), and a letter in each cell reads in
# black and white. Its colours (static/css/app.css, .lv-N) darken as the level rises.

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
