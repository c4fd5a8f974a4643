"""What the ratings add up to, computed in the database."""

from django.db.models import Count, Q, QuerySet

from .models import TURNS_UP_AT, CheckIn


def with_counts(checkins: QuerySet[CheckIn]) -> QuerySet[CheckIn]:
    """Annotate each check-in with how many triggers were rated, turned up and were strong."""
    return checkins.annotate(
        rated=Count("ratings"),
        turning_up=Count("ratings", filter=Q(ratings__level__gte=TURNS_UP_AT)),
        strong=Count("ratings", filter=Q(ratings__level=3)),
    )


def turning_up(checkin: CheckIn | None) -> int:
    if checkin is None:
        return 0
    return checkin.ratings.filter(level__gte=TURNS_UP_AT).count()


def describe_turning_up(count: int) -> str:
    if count == 0:
        return "No triggers turning up"
    return f"{count} trigger{'' if count == 1 else 's'} turning up together"
