"""A calendar year of check-ins, on a page made to be printed and brought to an annual review.

It follows the 1:1 export's rules for triggers: each one shown, counted in its theme only,
or hidden, as the person chooses (private ones start hidden); a theme's count is refused
where it would tell which trigger it is about. Private notes and the notes on ratings are
never read.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import fmean
from typing import Any

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, NullIf

from . import exports, metrics
from .models import CheckIn, Job, Rating, Trigger, UserSettings, this_month

TOP = 10  # triggers that turned up most
PAIRS = 5  # pairs that came together most
HALVES_FROM = 4  # check-ins in the year before its first half is compared with its second


@dataclass(frozen=True)
class Month:
    month: date
    checked_in: bool = False
    wellbeing: int | None = None
    satisfaction: int | None = None
    turning_up: int | None = None  # of the triggers on the page: shown and "theme only"

    @property
    def scores(self) -> tuple[int | None, int | None]:
        return self.wellbeing, self.satisfaction


@dataclass(frozen=True)
class JobChange:
    day: date
    started: bool  # or left
    job: Job


@dataclass(frozen=True)
class Halves:
    """The first half of the year's check-ins against the second (the middle one of an odd
    number in neither), and what changed between them, in the export's words."""

    before: list[date]
    after: list[date]
    changes: dict[str, list[str]]
    wellbeing: tuple[float | None, float | None]
    satisfaction: tuple[float | None, float | None]

    @property
    def unchanged(self) -> bool:
        return not any(self.changes.values())


@dataclass(frozen=True)
class YearReview:
    year: int
    months: list[Month]  # January to December, or to this month in this year
    shown: int  # how many triggers are shown, counted in their theme only, and hidden
    themed: int
    hidden: int
    top: list[tuple[Trigger, int, int]] = field(default_factory=list)  # (trigger, turned up, rated)
    more: int = 0  # shown triggers that turned up too, left out of `top`
    themes: list[tuple[str, int, int]] = field(default_factory=list)  # (theme, check-ins turned up, rated)
    pairs: list[tuple[Trigger, Trigger, int]] = field(default_factory=list)
    halves: Halves | None = None
    jobs: list[JobChange] = field(default_factory=list)
    talking: list[tuple[date, str]] = field(default_factory=list)  # oldest first

    @property
    def so_far(self) -> bool:
        return len(self.months) < 12

    @property
    def checked_in(self) -> list[Month]:
        return [m for m in self.months if m.checked_in]

    @property
    def missed(self) -> list[date]:
        """Months without a check-in; this month isn't missed while it lasts."""
        return [m.month for m in self.months if not m.checked_in and m.month < this_month()]

    @property
    def wellbeing(self) -> float | None:
        return _mean(m.wellbeing for m in self.months)

    @property
    def satisfaction(self) -> float | None:
        return _mean(m.satisfaction for m in self.months)

    @property
    def halves_from(self) -> int:
        return HALVES_FROM


def _mean(values) -> float | None:
    present = [value for value in values if value is not None]
    return fmean(present) if present else None


def years_with_checkins(user) -> list[int]:
    return [day.year for day in CheckIn.objects.filter(user=user).dates("month", "year")]


def build(user, year: int, *, triggers: list[Trigger], visibility: dict[str, str]) -> YearReview:
    """The year's review with the triggers `visibility` ({trigger: show, theme or hide})
    chooses; a trigger it leaves out gets the export's default (private ones hidden).

    Raises `exports.Refused` when a theme's count would tell which "theme only" trigger it is.
    """
    user_settings = UserSettings.of(user)
    level = user_settings.turn_up_level
    first, last = date(year, 1, 1), min(date(year, 12, 1), this_month())
    chosen = {t.pk: visibility.get(str(t.pk), exports.HIDE if t.private else exports.SHOW) for t in triggers}
    shown = {t.pk: t for t in triggers if chosen[t.pk] == exports.SHOW}
    themed = {t.pk: exports.theme_of(t) for t in triggers if chosen[t.pk] == exports.THEME}

    # The year's ratings of the triggers on the page (at most a year of check-ins' worth):
    # for the theme rule, each month's count, and the halves' levels.
    ratings = Rating.objects.filter(
        checkin__user=user, checkin__month__gte=first, checkin__month__lte=last, trigger__in=[*shown, *themed]
    )
    rows = list(ratings.values_list("trigger_id", "checkin__month", "level"))
    # (month, theme) → its "theme only" triggers rated then
    rated: defaultdict[tuple[date, str], set[int]] = defaultdict(set)
    turning_up: defaultdict[date, int] = defaultdict(int)  # month → triggers on the page turning up
    for trigger_id, month, rating in rows:
        if trigger_id in themed:
            rated[month, themed[trigger_id]].add(trigger_id)
        turning_up[month] += rating >= level
    exports.refuse_telling_counts(themed, rated, first)

    checkins = {
        row["month"]: row
        for row in CheckIn.objects.filter(user=user, month__gte=first, month__lte=last)
        .order_by("month")
        .values("month", "wellbeing", "satisfaction", "talking_points")
    }
    months = [
        Month(month, True, row["wellbeing"], row["satisfaction"], turning_up[month])
        if (row := checkins.get(month))
        else Month(month)
        for month in (date(year, n, 1) for n in range(1, last.month + 1))
    ]
    counts: dict[str, Any] = {
        "shown": len(shown),
        "themed": len(themed),
        "hidden": len(triggers) - len(shown) - len(themed),
    }
    if not checkins:
        return YearReview(year=year, months=months, **counts)

    ranked = metrics.ranked(user, first, level, TOP, until=last, among=list(shown))
    top = [(shown[pk], up, n) for pk, (up, n) in ranked.top.items() if up]
    pairs = metrics.co_occurrence(user, first, level, list(shown), until=last, limit=PAIRS)
    return YearReview(
        year=year,
        months=months,
        **counts,
        top=top,
        more=ranked.turning_up - len(top),
        themes=_themes(ratings.filter(trigger__in=themed), level),
        pairs=[(shown[i], shown[j], n) for (i, j), n in pairs.items()],
        halves=_halves(months, rows, shown, themed, level),
        jobs=_job_changes(user, first, date(year, 12, 31)),
        talking=[(month, row["talking_points"]) for month, row in checkins.items() if row["talking_points"]],
    )


def _themes(ratings, level: int) -> list[tuple[str, int, int]]:
    """Each theme's "theme only" triggers as one: in how many check-ins any of them turned
    up, and in how many any was rated. Counted by the database."""
    rows = (
        ratings.values(group=Coalesce(NullIf("trigger__theme", Value("")), Value("General")))
        .annotate(
            up=Count("checkin", distinct=True, filter=Q(level__gte=level)),
            rated=Count("checkin", distinct=True),
        )
        .order_by("-up", "group")
    )
    return [(row["group"], row["up"], row["rated"]) for row in rows]


def _halves(months: list[Month], rows, shown: dict, themed: dict, level: int) -> Halves | None:
    checked_in = [m for m in months if m.checked_in]
    if len(checked_in) < HALVES_FROM:
        return None
    half = len(checked_in) // 2
    before, after = checked_in[:half], checked_in[-half:]
    later = {m.month: True for m in after} | {m.month: False for m in before}
    # shown trigger → (levels before, levels after)
    levels: defaultdict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    # after? → theme → its ones turning up
    up: dict[bool, defaultdict[str, set[int]]] = {False: defaultdict(set), True: defaultdict(set)}
    rated_after: set[str] = set()
    for trigger_id, month, rating in rows:
        if month not in later:
            continue  # the middle check-in
        if trigger_id in shown:
            levels[trigger_id][later[month]].append(rating)
        else:
            theme = themed[trigger_id]
            rated_after |= {theme} if later[month] else set()
            if rating >= level:
                up[later[month]][theme].add(trigger_id)
    return Halves(
        before=[m.month for m in before],
        after=[m.month for m in after],
        changes=exports.what_changed(levels, shown, level, up, rated_after),
        wellbeing=(_mean(m.wellbeing for m in before), _mean(m.wellbeing for m in after)),
        satisfaction=(_mean(m.satisfaction for m in before), _mean(m.satisfaction for m in after)),
    )


def _job_changes(user, first: date, last: date) -> list[JobChange]:
    jobs = Job.objects.filter(Q(start__range=(first, last)) | Q(end__range=(first, last)), user=user)
    changes = [JobChange(job.start, True, job) for job in jobs if first <= job.start <= last]
    changes += [JobChange(job.end, False, job) for job in jobs if job.end and first <= job.end <= last]
    # On the same day, leaving one job comes before starting the next.
    return sorted(changes, key=lambda change: (change.day, change.started))
