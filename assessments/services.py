"""Writes that span several models. Each is one transaction."""

from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .forms import CHECKIN_FIELDS
from .models import CheckIn, Rating, Trigger


class NoteNeedsLevel(Exception):
    """A trigger's note was sent without a level to hang it on."""

    def __init__(self, trigger: Trigger):
        super().__init__(f"Choose a level for “{trigger.title}” and its note is saved with it.")


def checkin_triggers(*, user, checkin: CheckIn | None) -> QuerySet[Trigger]:
    """Active triggers, plus retired ones that were rated on this check-in."""
    shown = Q(retired__isnull=True)
    if checkin is not None:
        shown |= Q(ratings__checkin=checkin)
    return Trigger.objects.filter(shown, user=user).distinct()


@transaction.atomic
def checkin_save_answers(*, user, month: date, triggers, answers: dict) -> CheckIn:
    """Save the answers given (any subset of a check-in's) and leave the rest alone."""
    checkin, _ = CheckIn.objects.get_or_create(user=user, month=month)
    fields = {name: answers[name] for name in CHECKIN_FIELDS if name in answers}
    if fields:
        for name, value in fields.items():
            setattr(
                checkin,
                name,
                "" if value is None and name in ("notes", "talking_points") else value,
            )
        checkin.save(update_fields=[*fields, "updated"])
    else:
        # A rating alone still changes the check-in.
        CheckIn.objects.filter(pk=checkin.pk).update(updated=timezone.now())

    for trigger in triggers:
        level_key, note_key = f"level_{trigger.pk}", f"note_{trigger.pk}"
        if level_key not in answers and note_key not in answers:
            continue
        rating = Rating.objects.filter(checkin=checkin, trigger=trigger).first()
        level = answers.get(level_key, rating.level if rating else None)
        note = answers.get(note_key, rating.note if rating else "")
        if level is None:
            if note:
                raise NoteNeedsLevel(trigger)
            Rating.objects.filter(checkin=checkin, trigger=trigger).delete()
        else:
            Rating.objects.update_or_create(
                checkin=checkin, trigger=trigger, defaults={"level": level, "note": note}
            )
    return checkin
