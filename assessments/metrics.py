"""What the ratings add up to, computed in the database.

Every function here runs a fixed number of queries, however many years of check-ins
there are. A month with no check-in is a gap (None), never a zero.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Left, Trunc
from django.utils import timezone
from django.utils.text import Truncator

from .models import (
    SCORE_FIELDS,
    ChangeKind,
    CheckIn,
    ChecklistChange,
    Level,
    Rating,
    Trigger,
    UserSettings,
    add_months,
    month_start,
    next_month,
    previous_month,
)

RECENT, BEFORE = 3, 12  # check-ins compared to find rising triggers
RISE = 1.0  # how much higher the recent mean level must be


def _ratings(**filters) -> Coalesce:
    """How many ratings of the check-in (the outer query's row) match `filters`. One
    lookup per check-in in the ratings' (check-in, level) index, however long its notes."""
    counted = Rating.objects.filter(checkin=OuterRef("pk"), **filters).order_by().values("checkin")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


class Counts(TypedDict):
    """What with_counts() adds to each check-in."""

    rated: int
    turning_up: int
    strong: int
    at_level_0: int
    at_level_1: int
    at_level_2: int
    at_level_3: int


class TurningUpCount(TypedDict):
    turning_up: int


if TYPE_CHECKING:  # check-ins from with_counts() and turning_up_each_month(), counts as attributes
    from django_stubs_ext import WithAnnotations

    CountedCheckIn = WithAnnotations[CheckIn, Counts]
    CheckInTurningUp = WithAnnotations[CheckIn, TurningUpCount]
else:
    CountedCheckIn = CheckInTurningUp = CheckIn


class TurningUp(Protocol):
    """A check-in with how many triggers turned up in it, as with_counts() and
    turning_up_each_month() give them."""

    @property
    def month(self) -> date: ...

    @property
    def turning_up(self) -> int: ...


def with_counts(checkins: QuerySet[CheckIn], turn_up_level: int) -> QuerySet[CountedCheckIn]:
    """Annotate each check-in with how many triggers were rated, turned up and were strong,
    and how many were rated at each level. Newest first. Its texts are left unread."""
    return (
        checkins.order_by("-month")
        .defer("notes", "talking_points")
        .annotate(
            rated=_ratings(),
            turning_up=_ratings(level__gte=turn_up_level),
            strong=_ratings(level=Level.STRONG),
            at_level_0=_ratings(level=Level.NOT_PRESENT),
            at_level_1=_ratings(level=Level.FAINT),
            at_level_2=_ratings(level=Level.CLEAR),
            at_level_3=_ratings(level=Level.STRONG),
        )
    )


def turning_up_each_month(user, turn_up_level: int) -> list[CheckInTurningUp]:
    """Every check-in of `user`, oldest first, holding only its month and `turning_up`:
    what the headline, the sustained run and rising triggers need, cheap for any history."""
    checkins = CheckIn.objects.filter(user=user).only("user", "month")
    return list(checkins.annotate(turning_up=_ratings(level__gte=turn_up_level)).order_by("month"))


def turning_up(checkin: CheckIn | None, turn_up_level: int | None = None) -> int:
    """How many ratings of the check-in are at or above `turn_up_level`, by default its
    owner's (read in the same query)."""
    if checkin is None:
        return 0
    if turn_up_level is not None:
        return checkin.ratings.filter(level__gte=turn_up_level).count()
    owners = UserSettings.objects.filter(user=OuterRef("checkin__user")).values("turn_up_level")[:1]
    default = UserSettings.turn_up_level.field.default
    return checkin.ratings.filter(level__gte=Coalesce(Subquery(owners), default)).count()


def describe_turning_up(count: int) -> str:
    if count == 0:
        return "No triggers turning up"
    return f"{count} trigger{'' if count == 1 else 's'} turning up together"


@dataclass(frozen=True)
class Progress:
    """How far a check-in has come: its questions are the three scores and every trigger on
    it. Hours, notes and talking points are optional, so they are not counted."""

    answered: int
    questions: int
    rated: int  # triggers rated
    turning_up: int

    @property
    def done(self) -> bool:
        return self.answered == self.questions

    @property
    def summary(self) -> str:
        return describe_turning_up(self.turning_up) if self.rated else "Nothing rated yet"

    def __str__(self) -> str:
        return f"{self.answered} of {self.questions} answered"


def progress(user, checkin: CheckIn | None) -> Progress:
    """The check-in's progress (None: the month has none yet), in one query. The triggers on
    a check-in are the active ones and the retired ones rated on it (services.checkin_triggers)."""
    if checkin is None:
        active = Trigger.objects.filter(user=user, retired__isnull=True).count()
        return Progress(answered=0, questions=len(SCORE_FIELDS) + active, rated=0, turning_up=0)
    owners = UserSettings.objects.filter(user=OuterRef("checkin__user")).values("turn_up_level")[:1]
    turn_up_level = Coalesce(Subquery(owners), UserSettings.turn_up_level.field.default)
    active_triggers = (
        Trigger.objects.filter(user=OuterRef("user"), retired__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        CheckIn.objects.filter(pk=checkin.pk)
        .annotate(
            rated=_ratings(),
            turning_up=_ratings(level__gte=turn_up_level),
            retired_rated=_ratings(trigger__retired__isnull=False),
            active=Coalesce(Subquery(active_triggers), 0),
        )
        .values(*SCORE_FIELDS, "rated", "turning_up", "retired_rated", "active")
        .get()
    )
    return Progress(
        answered=sum(row[name] is not None for name in SCORE_FIELDS) + row["rated"],
        questions=len(SCORE_FIELDS) + row["active"] + row["retired_rated"],
        rated=row["rated"],
        turning_up=row["turning_up"],
    )


def monthly(checkins: Sequence[CheckIn], since: date, until: date) -> list[tuple[date, CheckIn | None]]:
    """Every calendar month from `since` to `until`, with its check-in or None."""
    by_month = {checkin.month: checkin for checkin in checkins}
    months, month = [], since
    while month <= until:
        months.append((month, by_month.get(month)))
        month = next_month(month)
    return months


# A long history is shown by the quarter or the year, so no chart has more than 60 columns.
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


def period_kind(months: int) -> str:
    """Months up to 5 years, quarters up to 15, years beyond."""
    return "month" if months <= 60 else "quarter" if months <= 180 else "year"


def period_start(month: date, kind: str) -> date:
    return month.replace(month=(month.month - 1) // MONTHS_IN[kind] * MONTHS_IN[kind] + 1)


class PeriodStart(Func):
    """The first day of the quarter or year a date falls in, computed by the database.
    SQLite has it with its own date functions (Django's Trunc there runs Python per row)."""

    output_field = DateField()

    def __init__(self, expression, kind: str):
        self.kind = kind
        super().__init__(expression)

    def as_sql(self, compiler, connection, *args, **extra):
        # Cast: PostgreSQL's date_trunc gives a timestamp even for a date.
        return compiler.compile(Cast(Trunc(self.source_expressions[0], self.kind), DateField()))

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if self.kind == "year":
            return f"date({sql}, 'start of year')", params
        months_back = f"(CAST(strftime('%%m', {sql}) AS INTEGER) - 1) %% 3"
        return f"date({sql}, '-' || ({months_back}) || ' months')", (*params, *params)


def period_of(field: str, kind: str):
    """`field` (a month) as the start of its period of `kind`."""
    return F(field) if kind == "month" else PeriodStart(field, kind)


# What a period without check-ins is: before the first check-in (nothing to show), missed
# (shown as missed, never as a zero), or the one still going on (not checked in yet).
BEFORE_FIRST, MISSED, OPEN = "before", "missed", "open"


@dataclass(frozen=True)
class Period:
    """A month, quarter or year of check-ins. Its counts are means per check-in (for a
    month, its check-in's own); a period without check-ins is a gap: no numbers at all."""

    start: date
    kind: str
    gap: str = ""  # BEFORE_FIRST, MISSED or OPEN for a period without check-ins
    checkins: int = 0
    together: int = 0  # how many of its check-ins had enough triggers turning up together
    turning_up: float | None = None
    at_level: tuple[float, ...] = ()  # by level, Not present to Strong
    wellbeing: float | None = None
    satisfaction: float | None = None
    energy: float | None = None
    hours: float | None = None

    @property
    def strong(self) -> float | None:
        return self.at_level[Level.STRONG] if self.checkins else None

    @property
    def missed(self) -> bool:
        return self.gap == MISSED

    @property
    def label(self) -> str:
        """ "Nov 2026", "Q3 2024" or "2024"."""
        if self.kind == "year":
            return f"{self.start:%Y}"
        if self.kind == "quarter":
            return f"Q{self.quarter} {self.start:%Y}"
        return f"{self.start:%b %Y}"

    @property
    def short(self) -> str:
        """ "Nov", "Q3" or "2024": the label without its year, where a column has no room."""
        return self.label.split(" ")[0]

    @property
    def quarter(self) -> int:
        return (self.start.month + 2) // 3


def periods(
    user, since: date, until: date, kind: str, *, first: date, turn_up_level: int, together_count: int
) -> list[Period]:
    """Every period of `kind` from `since`'s to `until`'s, each with its check-ins' means,
    aggregated by the database: one query, one row per period. `first` is the month of the
    first check-in: an empty period after it was missed, unless it is `until`'s."""
    # Read by name: the level and score columns are named as they are made, in loops.
    rows: Iterable[Mapping[str, Any]] = (
        CheckIn.objects.filter(user=user, month__gte=period_start(since, kind), month__lte=until)
        .annotate(
            period=period_of("month", kind),
            up=_ratings(level__gte=turn_up_level),
            **{f"level_{level}": _ratings(level=level) for level in Level},
        )
        .values("period")
        .annotate(
            checkins=Count("pk"),
            together=Count("pk", filter=Q(up__gte=together_count)),
            turning_up=Sum("up"),
            **{f"at_level_{level}": Sum(f"level_{level}") for level in Level},
            **{name: Avg(name) for name in ("wellbeing", "satisfaction", "energy", "hours")},
        )
        .order_by("period")
    )
    found = {}
    for row in rows:
        n = row["checkins"]
        found[row["period"]] = Period(
            start=row["period"],
            kind=kind,
            checkins=n,
            together=row["together"],
            turning_up=row["turning_up"] / n,
            at_level=tuple(row[f"at_level_{level}"] / n for level in Level),
            **{name: row[name] for name in ("wellbeing", "satisfaction", "energy", "hours")},
        )
    starts, start = [], period_start(since, kind)
    while start <= until:
        starts.append(start)
        start = add_months(start, MONTHS_IN[kind])

    def gap(start: date) -> str:
        if start < period_start(first, kind):
            return BEFORE_FIRST
        return OPEN if start == starts[-1] else MISSED

    return [found.get(start) or Period(start, kind, gap(start)) for start in starts]


def sustained_run(checkins: Sequence[TurningUp], together_count: int) -> int:
    """How many consecutive calendar months, ending with the latest check-in, had at least
    `together_count` triggers turning up. A missed month breaks the run."""
    run, expected = 0, None
    for checkin in sorted(checkins, key=lambda c: c.month, reverse=True):
        if checkin.turning_up < together_count or (expected and checkin.month != expected):
            break
        run, expected = run + 1, previous_month(checkin.month)
    return run


def compared_with(checkins: Sequence[TurningUp], latest: TurningUp, months_back: int = 3) -> TurningUp | None:
    """The check-in `months_back` calendar months before `latest`, if there is one."""
    month = latest.month
    for _ in range(months_back):
        month = previous_month(month)
    return next((c for c in checkins if c.month == month), None)


def headline(checkins: Sequence[TurningUp]) -> str:
    """ "3 triggers turning up together — up from 1 three months ago"."""
    if not checkins:
        return ""
    latest = max(checkins, key=lambda c: c.month)
    text = describe_turning_up(latest.turning_up)
    before = compared_with(checkins, latest)
    if before is None:
        return text
    if before.turning_up == latest.turning_up:
        return f"{text} — the same as three months ago"
    direction = "up" if latest.turning_up > before.turning_up else "down"
    return f"{text} — {direction} from {before.turning_up} three months ago"


@dataclass(frozen=True)
class Rising:
    trigger_id: int
    before: float | None  # mean level over the earlier check-ins, None if never rated then
    after: float  # mean level over the recent check-ins
    newly: bool  # turns up now and did not before


def rising(checkins: Sequence[CheckIn], turn_up_level: int) -> list[Rising]:
    """Triggers whose mean level over the last 3 check-ins is at least 1.0 above their mean
    over the 12 check-ins before them, or that newly turn up."""
    ordered = sorted(checkins, key=lambda c: c.month, reverse=True)
    recent = [c.pk for c in ordered[:RECENT]]
    before = [c.pk for c in ordered[RECENT : RECENT + BEFORE]]
    if not before:
        return []  # nothing to compare with yet
    rows = (
        Rating.objects.filter(checkin__in=recent + before)
        .annotate(recent=Case(When(checkin__in=recent, then=Value(True)), default=Value(False)))
        .values("trigger_id", "recent")
        .annotate(mean=Avg("level"), top=Max("level"))
    )
    stats: dict[int, dict[bool, Mapping[str, Any]]] = {}
    for row in rows:
        stats.setdefault(row["trigger_id"], {})[row["recent"]] = row
    found = []
    for trigger_id, periods in stats.items():
        now, then = periods.get(True), periods.get(False)
        if now is None:
            continue
        newly = now["top"] >= turn_up_level and (then is None or then["top"] < turn_up_level)
        # Rounded: means like 7/3 and 4/3 differ by a hair under 1.0 in floating point.
        risen = then is not None and round(now["mean"] - then["mean"], 9) >= RISE
        if newly or risen:
            found.append(Rising(trigger_id, None if then is None else then["mean"], now["mean"], newly))
    return sorted(found, key=lambda r: (r.before or 0) - r.after)


@dataclass(frozen=True)
class Ranked:
    """The triggers rated since a month, those that turned up most often first."""

    top: dict[int, tuple[int, int]]  # the first `limit`: {trigger: (times turning up, times rated)}
    rated: int  # how many triggers were rated at all
    turning_up: int  # how many of them turned up at least once


def ranked(
    user, since: date, turn_up_level: int, limit: int, *, until: date | None = None, among=None
) -> Ranked:
    """The `limit` triggers that turned up most often from `since` (to `until`), then the
    most often rated, ranked by the database, and how many there were in all; only the
    triggers `among`, when given."""
    ratings = Rating.objects.filter(_between(since, until), checkin__user=user)
    if among is not None:
        ratings = ratings.filter(trigger__in=among)
    up = Q(level__gte=turn_up_level)
    top = (
        ratings.values_list("trigger_id")
        .annotate(up=Count("pk", filter=up), n=Count("pk"))
        .order_by("-up", "-n", "trigger_id")[:limit]
    )
    totals = ratings.aggregate(
        rated=Count("trigger", distinct=True), up=Count("trigger", distinct=True, filter=up)
    )
    return Ranked({trigger: (n_up, n) for trigger, n_up, n in top}, totals["rated"], totals["up"])


def co_occurrence(
    user, since: date, turn_up_level: int, among=None, *, until: date | None = None, limit: int | None = None
) -> dict[tuple[int, int], int]:
    """{(i, j): in how many check-ins from `since` (to `until`) triggers i and j both turned
    up}, i < j; only pairs of the triggers `among`, when given (the square of all could be
    long); only the `limit` most frequent, when given, most frequent first."""
    both = Q() if among is None else Q(trigger__in=among, checkin__ratings__trigger__in=among)
    rows = (
        Rating.objects.filter(
            both,
            _between(since, until),
            checkin__user=user,
            level__gte=turn_up_level,
            checkin__ratings__level__gte=turn_up_level,
            checkin__ratings__trigger__gt=F("trigger"),
        )
        .values_list("trigger_id", "checkin__ratings__trigger")
        .annotate(n=Count("pk"))
    )
    if limit is not None:
        rows = rows.order_by("-n", "trigger_id", "checkin__ratings__trigger")[:limit]
    return {(i, j): n for i, j, n in rows}


def _between(since: date, until: date | None) -> Q:
    """Ratings of the check-ins from `since`, to `until` when given."""
    return Q(checkin__month__gte=since) & (Q() if until is None else Q(checkin__month__lte=until))


def strongest(user, since: date, kind: str, triggers) -> dict[tuple[int, date], tuple[int, int, str]]:
    """{(trigger, period): (its strongest level, in how many check-ins it was rated, its
    note)} for `triggers` since `since`. The note (its start) only when a period is a month."""
    notes = {"note": Max(Left("note", 120))} if kind == "month" else {}
    rows: Iterable[Mapping[str, Any]] = (
        Rating.objects.filter(checkin__user=user, checkin__month__gte=since, trigger__in=triggers)
        .annotate(period=period_of("checkin__month", kind))
        .values("trigger_id", "period")
        .annotate(level=Max("level"), rated=Count("pk"), **notes)
    )
    return {(r["trigger_id"], r["period"]): (r["level"], r["rated"], r.get("note", "")) for r in rows}


# The checklist as a living document: when it changed, and since when each trigger is on it.

CHANGES_NAMED = 3  # changes spelled out in one period's text; the rest are counted


def _change_text(kind: str, title: str, old_title: str) -> str:
    def short(text: str) -> str:
        return Truncator(text).chars(40)

    if kind == ChangeKind.REWORDED:
        return f"reworded “{short(old_title)}” to “{short(title)}”"
    return f"{ChangeKind(kind).label.lower()} “{short(title)}”"


def checklist_changes(
    user, since: date, until: date, kind: str = "month", *, triggers: Iterable[int] | None = None
) -> dict[date, str]:
    """{period: what changed} for the periods of `kind` (see MONTHS_IN) from `since`'s to
    `until`'s in which the checklist changed, oldest first, for a chart's marks and its
    text alternative: "2 changes: added “Pay freeze”; retired “Too many meetings”".
    Only changes to `triggers` (ids), when given: an export passes the ones it shows, so
    a hidden or private trigger's change never reaches it. One query; the account keeps at
    most MAX_CHANGES changes."""
    changes = ChecklistChange.objects.filter(
        user=user, at__date__gte=period_start(since, kind), at__date__lt=next_month(until)
    )
    if triggers is not None:
        changes = changes.filter(trigger__in=triggers)
    found: dict[date, list[str]] = {}
    for at, change_kind, title, old_title in changes.order_by("at", "id").values_list(
        "at", "kind", "title", "old_title"
    ):
        period = period_start(month_start(timezone.localdate(at)), kind)
        found.setdefault(period, []).append(_change_text(change_kind, title, old_title))
    texts = {}
    for period, said in found.items():
        text = "; ".join(said[:CHANGES_NAMED])
        if len(said) > CHANGES_NAMED:
            text += f"; and {len(said) - CHANGES_NAMED} more"
        texts[period] = f"{len(said)} changes: {text}" if len(said) > 1 else text[0].upper() + text[1:]
    return texts


def trigger_starts(user, *, triggers: Iterable[int] | None = None) -> dict[int, date]:
    """{trigger: the first month it was on the checklist}: the month it was added, or the
    first month it was rated if that is earlier (a check-in backfilled after it was added).
    A heatmap leaves the months before blank rather than "not rated". One query."""
    rows = Trigger.objects.filter(user=user)
    if triggers is not None:
        rows = rows.filter(pk__in=triggers)
    starts = {}
    for pk, created, first_rated in rows.annotate(first_rated=Min("ratings__checkin__month")).values_list(
        "pk", "created", "first_rated"
    ):
        added = month_start(timezone.localdate(created))
        starts[pk] = added if first_rated is None else min(added, first_rated)
    return starts
