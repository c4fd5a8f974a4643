"""Writes that span several models. Each is one transaction."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .defaults import add_default_checklist
from .models import (
    ANSWER_FIELDS,
    MAX_RATINGS,
    MAX_TEXT,
    SCORE_FIELDS,
    TEXT_FULL,
    CheckIn,
    LimitReached,
    Rating,
    Trigger,
    UserSettings,
    text_used,
)


@transaction.atomic
def create_account(*, username: str, password: str, email: str = "", default_checklist: bool = True):
    """A new account with its settings and, unless told otherwise, the default checklist.

    Accounts made another way (`createsuperuser`, the admin) start with an empty
    checklist; their settings are made when first needed (`UserSettings.of`).
    """
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    UserSettings.objects.create(user=user)
    if default_checklist:
        add_default_checklist(user)
    return user


class NoteNeedsLevel(Exception):
    """A trigger's note was sent without a level to hang it on."""

    def __init__(self, trigger: Trigger):
        self.trigger = trigger
        super().__init__(f"Choose a level for “{trigger.title}” and its note is saved with it.")


def checkin_triggers(*, user, checkin: CheckIn | None) -> QuerySet[Trigger]:
    """Active triggers, plus retired ones that were rated on this check-in."""
    shown = Q(retired__isnull=True)
    if checkin is not None:
        shown |= Q(pk__in=Rating.objects.filter(checkin=checkin).values("trigger_id"))
    return Trigger.objects.filter(shown, user=user)


@transaction.atomic
def checkin_save_answers(
    *, user, month: date, triggers, answers: dict, checkin: CheckIn | None = None
) -> CheckIn:
    """Save the answers given (any subset of a check-in's) and leave the rest alone.

    `checkin` is the month's check-in if the caller has already looked it up; autosave is
    the hot path, so each answer costs as few queries as it can.
    """
    fields = {name: answers[name] for name in ANSWER_FIELDS if name in answers}
    # `updated` changes with every answer, a rating alone included.
    if checkin is None or not CheckIn.objects.filter(pk=checkin.pk).update(**fields, updated=timezone.now()):
        checkin, created = CheckIn.objects.get_or_create(user=user, month=month, defaults=fields)
        if not created and fields:
            CheckIn.objects.filter(pk=checkin.pk).update(**fields, updated=timezone.now())

    for trigger in triggers:
        level_key, note_key = f"level_{trigger.pk}", f"note_{trigger.pk}"
        if level_key not in answers and note_key not in answers:
            continue
        ratings = Rating.objects.filter(checkin=checkin, trigger=trigger)
        if level_key in answers and note_key in answers:  # autosave sends both
            level, note = answers[level_key], answers[note_key]
        else:
            rating = ratings.first()
            level = answers.get(level_key, rating.level if rating else None)
            note = answers.get(note_key, rating.note if rating else "")
        if level is None:
            if note:
                raise NoteNeedsLevel(trigger)
            ratings.delete()
        elif not ratings.update(level=level, note=note):
            _make_room_for_a_rating(checkin)
            Rating.objects.update_or_create(
                checkin=checkin, trigger=trigger, defaults={"level": level, "note": note}
            )
    # Counted once written, only when words were sent; over the ceiling, all is undone.
    if any(isinstance(value, str) and value for value in answers.values()) and text_used(user.pk) > MAX_TEXT:
        raise LimitReached(TEXT_FULL)
    return checkin


def _make_room_for_a_rating(checkin: CheckIn) -> None:
    # Locked first, so two answers saved at once can't both find the last free place.
    CheckIn.objects.select_for_update().filter(pk=checkin.pk).values_list("pk").first()
    if Rating.objects.filter(checkin=checkin).count() >= MAX_RATINGS:
        raise LimitReached(
            f"This check-in already rates {MAX_RATINGS} triggers, the most one holds, "
            "so this answer wasn’t saved."
        )


class NothingToCopy(Exception):
    """Why “Copy last month's answers” changed nothing, in words for the person."""


@dataclass(frozen=True)
class Copied:
    checkin: CheckIn
    source: CheckIn  # the check-in copied from
    answers: dict[str, int]  # what was filled in, named as the check-in form names it


@transaction.atomic
def checkin_copy_previous(*, user, month: date) -> Copied:
    """Fill the month's unanswered scores and the levels of its unrated active triggers from
    the latest check-in before it. Notes, hours and talking points stay behind; an answer
    already given is never changed, however close an autosave of it comes.
    """
    source = CheckIn.objects.filter(user=user, month__lt=month).order_by("-month").first()
    if source is None:
        raise NothingToCopy(f"There is no check-in before {month:%B %Y} to copy from.")
    # An autosave locks the check-in's row before it adds a rating (_make_room_for_a_rating)
    # or changes a score, so holding the row keeps them out until the copy is done, and a
    # copy waits for one under way (PostgreSQL; SQLite lets one writer in at a time anyway).
    checkin = CheckIn.objects.select_for_update().get_or_create(user=user, month=month)[0]
    scores = {
        name: getattr(source, name)
        for name in SCORE_FIELDS
        if getattr(checkin, name) is None and getattr(source, name) is not None
    }
    levels = dict(
        source.ratings.filter(trigger__retired__isnull=True)
        .exclude(trigger__ratings__checkin=checkin)
        .values_list("trigger_id", "level")
    )
    if not scores and not levels:
        raise NothingToCopy(
            f"Nothing to copy: every answer {source.month:%B %Y} has is already given for {month:%B %Y}."
        )
    if levels and checkin.ratings.count() + len(levels) > MAX_RATINGS:
        raise LimitReached(
            f"This check-in would rate more than {MAX_RATINGS} triggers, the most one holds, "
            "so nothing was copied."
        )
    CheckIn.objects.filter(pk=checkin.pk).update(**scores, updated=timezone.now())
    Rating.objects.bulk_create(
        Rating(checkin=checkin, trigger_id=trigger_id, level=level) for trigger_id, level in levels.items()
    )
    return Copied(
        checkin=checkin,
        source=source,
        answers={**scores, **{f"level_{trigger_id}": level for trigger_id, level in levels.items()}},
    )
