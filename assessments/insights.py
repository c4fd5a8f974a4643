"""What went with the person's satisfaction and wellbeing: for each trigger, the mean score in
months when it turned up against months when it was rated below the turn-up level, in the
same month and in the month after. Computed in the database, in a fixed number of queries.

A month where a trigger wasn't rated counts on neither side. A difference is shown only
when each side has at least `AT_LEAST` months: fewer are too few to say anything.
"""

from dataclasses import dataclass, field

from django.db.models import Aggregate, Avg, Count, DateField, F, Func, Q, QuerySet

from .models import Level, Rating, Trigger, UserSettings

AT_LEAST = 3  # months on each side before a difference is shown
MEASURES = {"satisfaction": "job satisfaction", "wellbeing": "wellbeing"}
SAME, LATER = "same", "later"  # the check-in's own month, or the calendar month after it


class NextMonth(Func):
    """The first day of the month after a month's first day, computed by the database."""

    output_field = DateField()
    arity = 1
    template = "CAST(%(expressions)s + INTERVAL '1 month' AS DATE)"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="date(%(expressions)s, '+1 month')", **extra)


@dataclass(frozen=True)
class Side:
    mean: float | None
    months: int


@dataclass(frozen=True)
class Finding:
    """One trigger and one score: the mean in months it turned up and months it did not."""

    trigger: Trigger
    measure: str  # a key of MEASURES
    when: str  # SAME or LATER
    up: Side
    down: Side

    @property
    def shown(self) -> bool:
        return self.up.months >= AT_LEAST and self.down.months >= AT_LEAST

    @property
    def measure_name(self) -> str:
        return MEASURES[self.measure]

    @property
    def up_mean(self) -> float:
        """The mean as shown, to one decimal: the difference is taken between these, so
        the numbers on the page add up. Only for a finding that is shown."""
        assert self.up.mean is not None
        return round(self.up.mean, 1)

    @property
    def down_mean(self) -> float:
        assert self.down.mean is not None
        return round(self.down.mean, 1)

    @property
    def difference(self) -> float:
        return round(self.up_mean - self.down_mean, 1)

    @property
    def size(self) -> float:
        return abs(self.difference)

    @property
    def direction(self) -> str:
        return "lower" if self.difference < 0 else "higher" if self.difference > 0 else "the same"


@dataclass(frozen=True)
class Insights:
    turn_up_level: int
    rated: bool  # whether any trigger was ever rated
    # Every trigger and score, in the same month and a month later: those shown first, the
    # largest difference first, then those with too few months on a side.
    findings: list[Finding] = field(default_factory=list)
    # Rated triggers with no difference shown in the same month: (trigger, months it turned
    # up, months it was rated below that).
    too_few: list[tuple[Trigger, int, int]] = field(default_factory=list)

    @property
    def same(self) -> list[Finding]:
        return [f for f in self.findings if f.when == SAME and f.shown]

    @property
    def later(self) -> list[Finding]:
        return [f for f in self.findings if f.when == LATER and f.shown]

    @property
    def at_least(self) -> int:
        return AT_LEAST

    @property
    def turn_up_level_name(self) -> str:
        return Level(self.turn_up_level).label


def _sides(ratings, turn_up_level: int, score_of) -> QuerySet:
    """Each measure's mean and number of months, turning up and not: Avg and Count skip a
    month without that score."""
    up, down = Q(level__gte=turn_up_level), Q(level__lt=turn_up_level)
    aggregates: dict[str, Aggregate] = {
        "rated_up": Count("pk", filter=up),
        "rated_down": Count("pk", filter=down),
    }
    for measure in MEASURES:
        for side, condition in (("up", up), ("down", down)):
            aggregates[f"{measure}_{side}"] = Avg(score_of(measure), filter=condition)
            aggregates[f"{measure}_{side}_n"] = Count(score_of(measure), filter=condition)
    return ratings.values("trigger_id").annotate(**aggregates).order_by()


def _findings(rows: list[dict], triggers: dict, when: str) -> list[Finding]:
    return [
        Finding(
            trigger=triggers[row["trigger_id"]],
            measure=measure,
            when=when,
            up=Side(row[f"{measure}_up"], row[f"{measure}_up_n"]),
            down=Side(row[f"{measure}_down"], row[f"{measure}_down_n"]),
        )
        for row in rows
        for measure in MEASURES
    ]


def _largest_first(findings: list[Finding], order: dict[int, int]) -> list[Finding]:
    measures = list(MEASURES)

    def key(f: Finding):
        return (not f.shown, -f.size if f.shown else 0, order[f.trigger.pk], measures.index(f.measure))

    return sorted(findings, key=key)


def build(user) -> Insights:
    """Four queries: the settings, the triggers, the same month's means, the next month's."""
    turn_up_level = UserSettings.of(user).turn_up_level
    triggers = {t.pk: t for t in Trigger.objects.filter(user=user).defer("description")}
    order = {pk: n for n, pk in enumerate(triggers)}
    ratings = Rating.objects.filter(checkin__user=user)
    rows = list(_sides(ratings, turn_up_level, lambda m: f"checkin__{m}"))
    same = _findings(rows, triggers, SAME)
    # The month after: each rating joined to its owner's check-in of the next calendar month,
    # through the user (an inner join: a rating whose next month has no check-in drops out).
    following = ratings.filter(checkin__user__checkins__month=NextMonth(F("checkin__month")))
    later_rows = _sides(following, turn_up_level, lambda m: f"checkin__user__checkins__{m}")
    later = _findings(list(later_rows), triggers, LATER)
    shown = {f.trigger.pk for f in same if f.shown}
    too_few = [(triggers[r["trigger_id"]], r["rated_up"], r["rated_down"]) for r in rows]
    return Insights(
        turn_up_level=turn_up_level,
        rated=bool(rows),
        findings=_largest_first(same + later, order),
        too_few=sorted((row for row in too_few if row[0].pk not in shown), key=lambda row: order[row[0].pk]),
    )
