"""Plain helpers that build test data through the real models."""

from datetime import date

from django.contrib.auth import get_user_model

from assessments.models import CheckIn, Rating, Trigger

PASSWORD = "a-long-test-password"


def make_user(username: str = "alex", **fields):
    """A user with the default checklist, as sign-up gives them."""
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def make_trigger(user, title: str = "Too many meetings", **fields) -> Trigger:
    return Trigger.objects.add(user=user, title=title, **fields)


def make_checkin(user, month: date, ratings: dict | None = None, **fields) -> CheckIn:
    """A check-in for `month`, with `ratings` as {trigger: level}."""
    checkin = CheckIn.objects.create(user=user, month=month, **fields)
    for trigger, level in (ratings or {}).items():
        Rating.objects.create(checkin=checkin, trigger=trigger, level=level)
    return checkin
