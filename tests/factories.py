"""Plain helpers that build test data through the real models."""

from datetime import date

from assessments.models import CheckIn, Rating, Trigger, UserSettings, add_months
from assessments.services import create_account

PASSWORD = "a-long-test-password"


def make_user(username: str = "alex", *, verified: bool = False, default_checklist: bool = True, **fields):
    """A user with the default checklist, as sign-up gives them, or with an empty one;
    `verified=True` marks their email address verified, as opening the emailed link does."""
    user = create_account(username=username, password=PASSWORD, default_checklist=default_checklist, **fields)
    if verified:
        assert user.email, "only an address can be verified"
        UserSettings.objects.filter(user=user).update(verified_email=user.email)
    return user


def make_trigger(user, title: str = "Too many meetings", **fields) -> Trigger:
    return Trigger.objects.add(user=user, title=title, **fields)


def make_checkin(user, month: date, ratings: dict | None = None, **fields) -> CheckIn:
    """A check-in for `month`, with `ratings` as {trigger: level}."""
    checkin = CheckIn.objects.create(user=user, month=month, **fields)
    for trigger, level in (ratings or {}).items():
        Rating.objects.create(checkin=checkin, trigger=trigger, level=level)
    return checkin


def fill_years(user, triggers, first: date, years: int, **fields) -> None:
    """A check-in every month for `years` years from `first`, every trigger rated, its
    satisfaction going round 1 to 5 and its levels round the four."""
    checkins = CheckIn.objects.bulk_create(
        CheckIn(user=user, month=add_months(first, n), satisfaction=1 + n % 5, wellbeing=3, **fields)
        for n in range(12 * years)
    )
    Rating.objects.bulk_create(
        Rating(checkin=checkin, trigger=trigger, level=(n + m) % 4)
        for n, checkin in enumerate(checkins)
        for m, trigger in enumerate(triggers)
    )
