"""A full backup of one person's data as JSON, and its all-or-nothing restore.

A restore replaces everything in the account with the file's content. The whole file is
checked before anything is written, so a bad file changes nothing; restoring the same
file twice gives the same result as restoring it once.
"""

import json
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from .models import ANSWER_FIELDS, CheckIn, Job, Rating, Trigger, UserSettings, this_month

SCHEMA, VERSION = "careerapp-backup", 1
MAX_BYTES = 5 * 1024 * 1024
# Every setting its owner edits. The export choices follow their own rule (see _replace);
# the verified address, the calendar secret and the month last reminded belong to this
# server, not to a file (they are not editable).
SETTINGS = [
    field.name
    for field in UserSettings._meta.concrete_fields
    if field.editable and not field.primary_key and field.name not in ("user", "export_choices")
]
# Backups written before these settings existed lack them: the account keeps its own.
ADDED_LATER = {"due_day", "reminders"}


class RestoreError(Exception):
    """Why a file can't be restored, in words for the person restoring it."""


def dump(user) -> dict:
    user_settings = UserSettings.of(user)
    triggers = list(Trigger.objects.filter(user=user))
    checkins = list(CheckIn.objects.filter(user=user).order_by("month").prefetch_related("ratings"))
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "exported": timezone.now().isoformat(),
        "username": user.username,
        "settings": {
            **{name: getattr(user_settings, name) for name in SETTINGS},
            "export_choices": user_settings.export_choices,
        },
        "triggers": [
            {
                "id": t.pk,
                "title": t.title,
                "description": t.description,
                "theme": t.theme,
                "private": t.private,
                "position": t.position,
                "created": t.created.isoformat(),
                "retired": t.retired and t.retired.isoformat(),
            }
            for t in triggers
        ],
        "checkins": [
            {
                "month": f"{c.month:%Y-%m}",
                **{name: getattr(c, name) for name in ANSWER_FIELDS},
                "backfilled": c.backfilled,
                "created": c.created.isoformat(),
                "ratings": [
                    {"trigger": r.trigger_id, "level": r.level, "note": r.note}
                    for r in sorted(c.ratings.all(), key=lambda r: r.trigger_id)
                ],
            }
            for c in checkins
        ],
        "jobs": [
            {
                "employer": j.employer,
                "role": j.role,
                "start": j.start.isoformat(),
                "end": j.end and j.end.isoformat(),
            }
            for j in Job.objects.filter(user=user).order_by("start", "id")
        ],
    }


def load(file) -> dict:
    """The backup in a binary file, read no further than a backup can be long."""
    return parse(file.read(MAX_BYTES + 1))


def parse(raw: bytes) -> dict:
    if len(raw) > MAX_BYTES:
        raise RestoreError(
            f"The file is larger than {MAX_BYTES // 2**20} MB, so it can’t be a backup from careerapp."
        )
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
        # Text a database can't store: lone surrogates (\ud800) and NUL characters.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeError, ValueError, RecursionError):
        raise RestoreError("The file isn’t valid JSON, so it can’t be a backup from careerapp.") from None
    if "\x00" in text or "\\u0000" in text:
        raise RestoreError("The file contains a NUL character, so it can’t be a backup from careerapp.")
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise RestoreError("The file isn’t a careerapp backup.")
    if data.get("version") != VERSION:
        raise RestoreError(
            f"This backup has schema version {data.get('version')!r}; this careerapp reads version {VERSION}."
        )
    return data


# Reading the file: each helper returns a checked value or raises RestoreError ----------


def _field(item: dict, name: str, kind: type | tuple, where: str, *, optional: bool = False):
    if not isinstance(item, dict):
        raise RestoreError(f"{where} should be an object.")
    value = item.get(name)
    if value is None and optional:
        return None
    # bool is an int in Python; a level of `true` is still wrong.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise RestoreError(f"{where}: “{name}” is missing or has the wrong type.")
    return value


def _date(value, where: str, parse=date.fromisoformat):
    try:
        return parse(value)
    except (TypeError, ValueError):
        raise RestoreError(f"{where}: “{value}” is not a valid date.") from None


def _created(item: dict, where: str) -> datetime:
    value = _date(_field(item, "created", str, where), where, datetime.fromisoformat)
    try:
        return value.astimezone(UTC) if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    except OverflowError:
        raise RestoreError(f"{where}: “{value}” is out of range.") from None


def _optional_date(item: dict, name: str, where: str) -> date | None:
    value = _field(item, name, str, where, optional=True)
    return None if value is None else _date(value, where)


def _text(item: dict, name: str, where: str, limit: int) -> str:
    value = _field(item, name, str, where)
    if len(value) > limit:
        raise RestoreError(f"{where}: “{name}” is longer than {limit} characters.")
    return value


def _checked(obj, where: str, exclude: list[str]):
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
        raise RestoreError(f"{where}: {problems}") from None
    return obj


def _answer(item: dict, name: str, where: str):
    field = CheckIn._meta.get_field(name)
    if isinstance(field, models.TextField):
        return _text(item, name, where, field.max_length)
    return _field(item, name, int, where, optional=True)


def _setting(settings: dict, name: str):
    kind = bool if isinstance(UserSettings._meta.get_field(name), models.BooleanField) else int
    return _field(settings, name, kind, "Settings", optional=name in ADDED_LATER)


def _list(data: dict, name: str) -> list:
    value = data.get(name)
    if not isinstance(value, list):
        raise RestoreError(f"The backup has no list of {name}.")
    return value


def read(user, data: dict):
    """Turn a parsed backup into unsaved objects, or raise RestoreError. Writes nothing."""
    settings = data.get("settings")
    if not isinstance(settings, dict):
        raise RestoreError("The backup has no settings.")
    values = {name: _setting(settings, name) for name in SETTINGS}
    values = {name: value for name, value in values.items() if value is not None}
    _checked(UserSettings(user=user, **values), "Settings", ["user", "export_choices"])
    choices = settings.get("export_choices") or {}
    if not isinstance(choices, dict):
        raise RestoreError("Settings: the export choices should be an object.")

    triggers = {}
    for n, item in enumerate(_list(data, "triggers"), 1):
        where = f"Trigger {n}"
        ref = _field(item, "id", int, where)
        if ref in triggers:
            raise RestoreError(f"{where}: the id {ref} is used twice.")
        triggers[ref] = _checked(
            Trigger(
                user=user,
                title=_field(item, "title", str, where),
                description=_text(item, "description", where, Trigger.description.field.max_length),
                theme=_field(item, "theme", str, where),
                private=_field(item, "private", bool, where),
                position=_field(item, "position", int, where),
                created=_created(item, where),
                retired=_optional_date(item, "retired", where),
            ),
            where,
            ["user"],
        )

    checkins, months = [], set()
    for n, item in enumerate(_list(data, "checkins"), 1):
        where = f"Check-in {n}"
        month = _date(_field(item, "month", str, where) + "-01", where)
        if month in months:
            raise RestoreError(f"{where}: there are two check-ins for {month:%B %Y}.")
        if month > this_month():
            raise RestoreError(f"{where}: {month:%B %Y} hasn’t started yet.")
        months.add(month)
        checkin = CheckIn(
            user=user,
            month=month,
            **{name: _answer(item, name, where) for name in ANSWER_FIELDS},
            backfilled=_field(item, "backfilled", bool, where),
            created=_created(item, where),
        )
        _checked(checkin, where, ["user"])
        ratings, rated = [], set()
        for rating in _field(item, "ratings", list, where):
            ref = _field(rating, "trigger", int, where)
            if ref not in triggers or ref in rated:
                raise RestoreError(
                    f"{where}: a rating refers to trigger {ref}, which is unknown or rated twice."
                )
            rated.add(ref)
            ratings.append(
                _checked(
                    Rating(
                        level=_field(rating, "level", int, where),
                        note=_text(rating, "note", where, Rating.note.field.max_length),
                    ),
                    where,
                    ["checkin", "trigger"],
                )
            )
            ratings[-1].trigger_ref = ref
        checkins.append((checkin, ratings))

    jobs = []
    for n, item in enumerate(_list(data, "jobs"), 1):
        where = f"Job {n}"
        job = Job(
            user=user,
            employer=_field(item, "employer", str, where),
            role=_field(item, "role", str, where),
            start=_date(_field(item, "start", str, where), where),
            end=_optional_date(item, "end", where),
        )
        if job.end and job.end < job.start:
            raise RestoreError(f"{where}: it ends before it starts.")
        jobs.append(_checked(job, where, ["user"]))
    return values, choices, triggers, checkins, jobs


def restore(user, data: dict) -> None:
    """Replace everything of `user` with the backup's content, or change nothing."""
    values, choices, triggers, checkins, jobs = read(user, data)
    try:
        _replace(user, values, choices, triggers, checkins, jobs)
    except DatabaseError:  # a rule the checks above missed; the database still holds
        raise RestoreError("The backup breaks one of careerapp’s rules, so nothing was restored.") from None


@transaction.atomic
def _replace(user, settings: dict, choices, triggers, checkins, jobs) -> None:
    CheckIn.objects.filter(user=user).delete()  # with their ratings
    Trigger.objects.filter(user=user).delete()
    Job.objects.filter(user=user).delete()
    Trigger.objects.bulk_create(triggers.values())
    CheckIn.objects.bulk_create(checkin for checkin, _ in checkins)
    Rating.objects.bulk_create(
        Rating(checkin=checkin, trigger=triggers[r.trigger_ref], level=r.level, note=r.note)
        for checkin, ratings in checkins
        for r in ratings
    )
    Job.objects.bulk_create(jobs)
    # Export choices name triggers by id; the restored triggers have new ones.
    visibility = choices.get("visibility") if isinstance(choices.get("visibility"), dict) else {}
    new_ids = {str(ref): str(t.pk) for ref, t in triggers.items()}
    export_choices = {
        key: value
        for key, value in choices.items()
        if key in ("talking_points", "notes", "scores") and isinstance(value, bool)
    }
    export_choices["visibility"] = {
        new_ids[k]: v for k, v in visibility.items() if k in new_ids and v in ("show", "theme", "hide")
    }
    UserSettings.objects.update_or_create(
        user=user,
        defaults={**settings, "export_choices": export_choices},
    )
