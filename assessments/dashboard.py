"""What the dashboard shows one person for one period, in a fixed number of queries, each
of them bounded however much the account holds."""

from dataclasses import dataclass, field, replace
from datetime import date

from django.utils import timezone

from . import charts, metrics
from .models import (
    CheckIn,
    Job,
    Level,
    Trigger,
    UserSettings,
    add_months,
    months_in,
    previous_month,
    this_month,
)

# The periods the charts can show: (label, months; None is everything).
RANGES = {"12m": ("Last 12 months", 12), "3y": ("3 years", 36), "all": ("All", None)}
DEFAULT_RANGE = "12m"
# The charts show at least this many months, however recent the first check-in: the year
# ahead fills in month by month, each month a month wide.
FRAME = 12
SHOWN_PAIRS = 10  # the pairs listed at once; the rest are a click away
# However many triggers an account rates, the heatmap shows those that turned up most often
# in the range (then those rated most often), the pair chart the first of them: its cost
# grows with the square of their number.
HEATMAP_TRIGGERS = 50
PAIR_TRIGGERS = 12


@dataclass(frozen=True)
class Tenure:
    job: Job
    years: int
    months: int
    nudge: bool  # long enough in the job to suggest a light job search

    def __str__(self) -> str:
        units = ((self.years, "year"), (self.months, "month"))
        parts = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in units if n]
        return " ".join(parts) or "less than a month"


@dataclass(frozen=True)
class HeatCell:
    css: str = ""  # l0 to l3 by level; none (not rated), or the period's gap
    word: str = ""  # what it says to a screen reader
    note: str = ""  # what hovering shows: the month's note, or what a longer period's level is

    @property
    def said(self) -> str:
        return f"{self.word}: {self.note}" if self.note else self.word


@dataclass(frozen=True)
class Dashboard:
    month: date  # this month
    user_settings: UserSettings
    range: str
    current: CheckIn | None  # this month's check-in, when done
    due_date: date
    due_now: bool
    tenure: Tenure | None
    # Last month, offered while this month's is the only check-in: trends need more than one.
    offer: date | None = None
    # The rest only once there is a check-in. `latest` is the newest.
    latest: CheckIn | None = None
    headline: str = ""
    together: bool = False  # the latest check-in has enough triggers turning up together
    latest_up: list[Trigger] = field(default_factory=list)  # strongest first
    sustained: int = 0  # months in a row turning up together, up to the latest
    rising: list[tuple[Trigger, metrics.Rising]] = field(default_factory=list)
    # Every month, quarter or year of the range; one without check-ins is a gap.
    series: list[metrics.Period] = field(default_factory=list)
    heat_rows: list[tuple[Trigger, list[HeatCell]]] = field(default_factory=list)  # a cell a period
    heat_more: int = 0  # triggers rated in the range that the heatmap leaves out
    # (trigger, trigger, check-ins both turned up in, % of the most often seen pair's), most first
    pairs: list[tuple[Trigger, Trigger, int, float]] = field(default_factory=list)
    pair_more: int = 0  # triggers turning up in the range that the pair chart leaves out
    together_chart: charts.Chart | None = None
    wellbeing_chart: charts.Chart | None = None
    jobs: list[Job] = field(default_factory=list)  # those that started in the range, oldest first
    changes: dict[date, str] = field(default_factory=dict)  # {period: how the checklist changed}

    @property
    def ranges(self) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _) in RANGES.items()]

    @property
    def levels(self) -> list[tuple[int, str]]:
        return Level.choices

    @property
    def heat_limit(self) -> int:
        return HEATMAP_TRIGGERS

    @property
    def pair_limit(self) -> int:
        return PAIR_TRIGGERS

    @property
    def pairs_shown(self) -> list[tuple[Trigger, Trigger, int, float]]:
        return self.pairs[:SHOWN_PAIRS]

    @property
    def pairs_more(self) -> list[tuple[Trigger, Trigger, int, float]]:
        return self.pairs[SHOWN_PAIRS:]

    @property
    def since_first(self) -> list[metrics.Period]:
        """The periods from the first check-in's on, newest first: what the tables list."""
        return [p for p in reversed(self.series) if p.gap != metrics.BEFORE_FIRST]

    @property
    def period(self) -> str:
        """What one column of the charts is: "month", "quarter" or "year"."""
        return self.series[0].kind if self.series else "month"


def build(user, range_key: str | None) -> Dashboard:
    user_settings = UserSettings.of(user)
    today, month = timezone.localdate(), this_month()
    range_key = range_key if range_key in RANGES else DEFAULT_RANGE
    checkins = metrics.turning_up_each_month(user, user_settings.turn_up_level)
    job = Job.objects.filter(user=user).current(today)
    tenure = None
    if job is not None:
        years, months = job.tenure(today)
        tenure = Tenure(job, years, months, nudge=years >= user_settings.tenure_years)
    dashboard = Dashboard(
        month=month,
        user_settings=user_settings,
        range=range_key,
        current=checkins[-1] if checkins and checkins[-1].month == month else None,
        due_date=user_settings.due_date(month),
        due_now=today >= user_settings.due_date(month),
        tenure=tenure,
        offer=previous_month(month) if len(checkins) == 1 and checkins[0].month == month else None,
    )
    if not checkins:
        return dashboard
    return _with_trends(dashboard, user, checkins)


def _with_trends(dashboard: Dashboard, user, checkins: list[metrics.CheckInTurningUp]) -> Dashboard:
    user_settings, month = dashboard.user_settings, dashboard.month
    turn_up_level, together_count = user_settings.turn_up_level, user_settings.together_count
    length = RANGES[dashboard.range][1]
    first = since = checkins[0].month
    if length:
        since = max(since, add_months(month, 1 - length))
    since = min(since, add_months(month, 1 - FRAME))
    kind = metrics.period_kind(months_in(since, month))
    series = metrics.periods(
        user, since, month, kind, first=first, turn_up_level=turn_up_level, together_count=together_count
    )
    since = series[0].start

    triggers = {t.pk: t for t in Trigger.objects.filter(user=user).defer("description")}
    # Each chart shows the triggers that matter most in the range, however many there are.
    ranked = metrics.ranked(user, since, turn_up_level, HEATMAP_TRIGGERS)
    alone = {pk: n for pk, (n, _) in list(ranked.top.items())[:PAIR_TRIGGERS] if n}
    together_counts = metrics.co_occurrence(user, since, turn_up_level, among=list(alone))
    cells = metrics.strongest(user, since, kind, list(ranked.top))
    heat = [t for t in triggers.values() if t.pk in ranked.top]  # in checklist order
    starts = metrics.trigger_starts(user, triggers=list(ranked.top))
    changes = metrics.checklist_changes(user, since, month, kind)

    latest = checkins[-1]
    latest_up = latest.ratings.filter(level__gte=turn_up_level).order_by("-level")
    jobs = sorted(Job.objects.filter(user=user, start__gte=since), key=lambda job: job.start)
    pairs = sorted(
        ((triggers[i], triggers[j], n) for (i, j), n in together_counts.items()), key=lambda p: -p[2]
    )
    return replace(
        dashboard,
        latest=latest,
        headline=metrics.headline(checkins),
        together=latest.turning_up >= together_count,
        latest_up=[triggers[r.trigger_id] for r in latest_up],
        sustained=metrics.sustained_run(checkins, together_count),
        rising=[(triggers[r.trigger_id], r) for r in metrics.rising(checkins, turn_up_level)],
        series=series,
        heat_rows=[
            (t, [_heat_cell(p, cells.get((t.pk, p.start)), starts[t.pk]) for p in series]) for t in heat
        ],
        heat_more=ranked.rated - len(ranked.top),
        # Bars from zero to the pair seen most often.
        pairs=[(a, b, n, round(100 * n / pairs[0][2], 1)) for a, b, n in pairs],
        pair_more=ranked.turning_up - len(alone),
        together_chart=charts.together(
            series, turn_up_level=turn_up_level, together_count=together_count, jobs=jobs, changes=changes
        ),
        wellbeing_chart=charts.wellbeing(series, changes),
        jobs=jobs,
        changes=changes,
    )


def _heat_cell(period: metrics.Period, cell: tuple[int, int, str] | None, start: date) -> HeatCell:
    if cell is not None:
        level, rated, note = cell
        return HeatCell(f"l{level}", Level(level).label, _detail(period.kind, rated, note))
    if add_months(period.start, metrics.MONTHS_IN[period.kind]) <= start:
        return HeatCell("", "Not on the checklist yet")
    if period.checkins:
        return HeatCell("none", "Not rated")
    if period.missed:
        return HeatCell("missed", "No check-in")
    return HeatCell()


def _detail(kind: str, rated: int, note: str) -> str:
    """What a heatmap cell says under its level: the month's note, or what a longer
    period's strongest level was taken from."""
    if kind == "month":
        return note
    return f"the strongest of {rated} rating{'' if rated == 1 else 's'} that {kind}"
