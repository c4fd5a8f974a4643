"""What the ratings add up to, computed in the database.

Every function here runs a fixed number of queries, however many years of check-ins
there are. A month with no check-in is a gap (None), never a zero.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Case, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from .models import CheckIn, Level, Rating, UserSettings, next_month, previous_month

RECENT, BEFORE = 3, 12  # check-ins compared to find rising triggers
RISE = 1.0  # how much higher the recent mean level must be


def with_counts(checkins: QuerySet[CheckIn], turn_up_level: int) -> QuerySet[CheckIn]:
    """Annotate each check-in with how many triggers were rated, turned up and were strong,
    and how many were rated at each level. Newest first (aggregating drops the model's ordering)."""
    return checkins.order_by("-month").annotate(
        rated=Count("ratings"),
        turning_up=Count("ratings", filter=Q(ratings__level__gte=turn_up_level)),
        strong=Count("ratings", filter=Q(ratings__level=Level.STRONG)),
        **{f"at_level_{level}": Count("ratings", filter=Q(ratings__level=level)) for level in Level},
    )


def turning_up(checkin: CheckIn | None, turn_up_level: int | None = None) -> int:
    """How many ratings of the check-in are at or above `turn_up_level`, by default its
    owner's (read in the same query)."""
    if checkin is None:
        return 0
    if turn_up_level is None:
        owners = UserSettings.objects.filter(user=OuterRef("checkin__user")).values("turn_up_level")[:1]
        turn_up_level = Coalesce(Subquery(owners), UserSettings.turn_up_level.field.default)
    return checkin.ratings.filter(level__gte=turn_up_level).count()


def describe_turning_up(count: int) -> str:
    if count == 0:
        return "No triggers turning up"
    return f"{count} trigger{'' if count == 1 else 's'} turning up together"


def months_between(first: date, last: date) -> list[date]:
    months = []
    while first <= last:
        months.append(first)
        first = next_month(first)
    return months


def monthly(checkins: list[CheckIn], since: date, until: date) -> list[tuple[date, CheckIn | None]]:
    """Every calendar month from `since` to `until`, with its check-in or None."""
    by_month = {checkin.month: checkin for checkin in checkins}
    return [(month, by_month.get(month)) for month in months_between(since, until)]


def sustained_run(checkins: list[CheckIn], together_count: int) -> int:
    """How many consecutive calendar months, ending with the latest check-in, had at least
    `together_count` triggers turning up. A missed month breaks the run."""
    run, expected = 0, None
    for checkin in sorted(checkins, key=lambda c: c.month, reverse=True):
        if checkin.turning_up < together_count or (expected and checkin.month != expected):
            break
        run, expected = run + 1, previous_month(checkin.month)
    return run


def compared_with(checkins: list[CheckIn], latest: CheckIn, months_back: int = 3) -> CheckIn | None:
    """The check-in `months_back` calendar months before `latest`, if there is one."""
    month = latest.month
    for _ in range(months_back):
        month = previous_month(month)
    return next((c for c in checkins if c.month == month), None)


def headline(checkins: list[CheckIn]) -> str:
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


def rising(checkins: list[CheckIn], turn_up_level: int) -> list[Rising]:
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
    stats: dict[int, dict[bool, dict]] = {}
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
            found.append(Rising(trigger_id, then and then["mean"], now["mean"], newly))
    return sorted(found, key=lambda r: (r.before or 0) - r.after)


def co_occurrence(user, since: date, turn_up_level: int) -> dict[tuple[int, int], int]:
    """{(i, j): in how many check-ins since `since` triggers i and j both turned up}, i < j."""
    rows = (
        Rating.objects.filter(
            checkin__user=user,
            checkin__month__gte=since,
            level__gte=turn_up_level,
            checkin__ratings__level__gte=turn_up_level,
            checkin__ratings__trigger__gt=F("trigger"),
        )
        .values_list("trigger_id", "checkin__ratings__trigger")
        .annotate(n=Count("pk"))
    )
    return {(i, j): n for i, j, n in rows}
