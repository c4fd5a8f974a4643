"""What the dashboard shows one person for one period, in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from django.utils import timezone

from . import charts, metrics
from .models import CheckIn, Job, Level, Rating, Trigger, UserSettings, add_months, this_month

# The periods the charts can show: (label, months; None is everything).
RANGES = {"12m": ("Last 12 months", 12), "3y": ("3 years", 36), "all": ("All", None)}
DEFAULT_RANGE = "12m"
NOT_RATED = "–"


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
class Dashboard:
    month: date  # this month
    user_settings: UserSettings
    range: str
    current: CheckIn | None  # this month's check-in, when done
    due_date: date
    due_now: bool
    tenure: Tenure | None
    # The rest only once there is a check-in. `latest` is the newest.
    latest: CheckIn | None = None
    headline: str = ""
    together: bool = False  # the latest check-in has enough triggers turning up together
    latest_up: list[Trigger] = field(default_factory=list)  # strongest first
    sustained: int = 0  # months in a row turning up together, up to the latest
    rising: list[tuple[Trigger, metrics.Rising]] = field(default_factory=list)
    # The period's months, each with its check-in or None (a gap).
    series: list[tuple[date, CheckIn | None]] = field(default_factory=list)
    months: list[date] = field(default_factory=list)
    heat_rows: list[tuple[Trigger, list[str]]] = field(default_factory=list)  # level names by month
    pairs: list[tuple[Trigger, Trigger, int]] = field(default_factory=list)  # most often first
    figures: dict[str, dict] = field(default_factory=dict)

    @property
    def ranges(self) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _) in RANGES.items()]

    @property
    def levels(self) -> list[tuple[int, str]]:
        return Level.choices


def build(user, range_key: str | None) -> Dashboard:
    user_settings = UserSettings.of(user)
    today, month = timezone.localdate(), this_month()
    range_key = range_key if range_key in RANGES else DEFAULT_RANGE
    checkins = list(
        metrics.with_counts(CheckIn.objects.filter(user=user), user_settings.turn_up_level).order_by("month")
    )
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
    )
    if not checkins:
        return dashboard
    return _with_trends(dashboard, user, checkins)


def _with_trends(dashboard: Dashboard, user, checkins: list[CheckIn]) -> Dashboard:
    user_settings, month = dashboard.user_settings, dashboard.month
    turn_up_level, together_count = user_settings.turn_up_level, user_settings.together_count
    length = RANGES[dashboard.range][1]
    since = checkins[0].month
    if length:
        since = max(since, add_months(month, 1 - length))
    series = metrics.monthly([c for c in checkins if c.month >= since], since, month)
    months = [m for m, _ in series]

    triggers = {t.pk: t for t in Trigger.objects.filter(user=user)}
    month_of = {c.pk: c.month for c in checkins}
    cells = {
        (trigger_id, month_of[checkin_id]): (level, note)
        for trigger_id, checkin_id, level, note in Rating.objects.filter(
            checkin__user=user, checkin__month__gte=since
        ).values_list("trigger_id", "checkin_id", "level", "note")
    }
    rated = [t for t in triggers.values() if any((t.pk, m) in cells for m in months)]
    alone = Counter(t for (t, _), (level, _) in cells.items() if level >= turn_up_level)
    pairs = metrics.co_occurrence(user, since, turn_up_level)
    names = {None: NOT_RATED, **dict(Level.choices)}

    latest = checkins[-1]
    latest_up = latest.ratings.filter(level__gte=turn_up_level).order_by("-level")
    jobs = list(Job.objects.filter(user=user, start__gte=since))
    return replace(
        dashboard,
        latest=latest,
        headline=metrics.headline(checkins),
        together=latest.turning_up >= together_count,
        latest_up=[triggers[r.trigger_id] for r in latest_up],
        sustained=metrics.sustained_run(checkins, together_count),
        rising=[(triggers[r.trigger_id], r) for r in metrics.rising(checkins, turn_up_level)],
        series=series,
        months=months,
        heat_rows=[(t, [names[cells.get((t.pk, m), (None,))[0]] for m in months]) for t in rated],
        pairs=sorted(((triggers[i], triggers[j], n) for (i, j), n in pairs.items()), key=lambda p: -p[2]),
        figures={
            "together": charts.together(
                series, turn_up_level=turn_up_level, together_count=together_count, jobs=jobs
            ),
            "heatmap": charts.heatmap(months, rated, cells),
            "cooccurrence": charts.co_occurrence([t for t in rated if alone[t.pk]], pairs, alone),
            "wellbeing": charts.wellbeing(series),
        },
    )
