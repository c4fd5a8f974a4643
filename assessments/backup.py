"""A full backup of one person's data as JSON, and its all-or-nothing restore.

A restore replaces everything in the account with the file's content. The whole file is
checked before anything is written, so a bad file changes nothing; restoring the same
file twice gives the same result as restoring it once.
"""

import json
from collections import defaultdict
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from .models import (
    ANSWER_FIELDS,
    FIRST_MONTH,
    MAX_ACTIVE_TRIGGERS,
    MAX_CHANGES,
    MAX_JOBS,
    MAX_RATINGS,
    MAX_TEXT,
    MAX_TRIGGERS,
    ChangeKind,
    CheckIn,
    ChecklistChange,
    Job,
    Level,
    Rating,
    Trigger,
    UserSettings,
    months_in,
    this_month,
)

SCHEMA, VERSION = "careerapp-backup", 1
# A backup of an account at every ceiling (see models) is under 8 MB in any alphabet.
MAX_BYTES = 10 * 2**20
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
LEVELS = set(Level.values)


class RestoreError(Exception):
    """Why a file can't be restored, in words for the person restoring it."""


def dump(user) -> dict:
    user_settings = UserSettings.of(user)
    triggers = list(Trigger.objects.filter(user=user))
    checkins = list(CheckIn.objects.filter(user=user).order_by("month"))
    # Plain rows, not model instances: an account may hold tens of thousands of ratings.
    ratings = defaultdict(list)
    for checkin_id, trigger_id, level, note in (
        Rating.objects.filter(checkin__user=user)
        .order_by("checkin", "trigger")
        .values_list("checkin", "trigger", "level", "note")
    ):
        ratings[checkin_id].append({"trigger": trigger_id, "level": level, "note": note})
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
                "short_name": t.short_name,
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
                "ratings": ratings[c.pk],
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
        # Oldest first, as they happened. Backups written before changes were kept lack them.
        "changes": [
            {
                "trigger": c.trigger_id,
                "kind": c.kind,
                "title": c.title,
                "old_title": c.old_title,
                "at": c.at.isoformat(),
            }
            for c in ChecklistChange.objects.filter(user=user).order_by("at", "id")
        ],
    }


TOO_LARGE = f"The file is larger than {MAX_BYTES // 2**20} MB, the most a restore takes."
# Room for the form around the file: its boundaries, headers and CSRF token.
MAX_BODY = MAX_BYTES + 64 * 2**10


def body_problem(content_length: str | None) -> tuple[str, int] | None:
    """Why a restore request can't be read, judged by its Content-Length alone, with the
    status to answer; None when it may be read."""
    try:
        length = int(content_length or "")
    except ValueError:
        return "The upload didn’t say how large it is, so it wasn’t read. Choose the file again.", 411
    return (TOO_LARGE, 413) if length > MAX_BODY else None


class UploadHandler(MemoryFileUploadHandler):
    """Every upload the app reads, kept in memory and never longer than a backup can be:
    reading stops once more has arrived, whatever the request's headers said."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated, self.received, self.too_large = True, 0, False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return super().receive_data_chunk(raw_data, start)


def dumps(data: dict) -> str:
    """A backup as JSON text: each trigger, check-in and job on a line of its own, so it
    reads well and is written by json's fast encoder (indenting makes it write in Python,
    several times slower on a long history)."""

    def line(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {line(item)}" for item in value)
            parts.append(f"  {line(key)}: [\n{items}\n  ]")
        else:
            parts.append(f"  {line(key)}: {line(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def load(file) -> dict:
    """The backup in a binary file, read no further than a backup can be long."""
    return parse(file.read(MAX_BYTES + 1))


def parse(raw: bytes) -> dict:
    if len(raw) > MAX_BYTES:
        raise RestoreError(TOO_LARGE)
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


def _created(item: dict, where: str, name: str = "created") -> datetime:
    value = _date(_field(item, name, str, where), where, datetime.fromisoformat)
    try:
        return value.astimezone(UTC) if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    except OverflowError:
        raise RestoreError(f"{where}: “{value}” is out of range.") from None


def _optional_date(item: dict, name: str, where: str) -> date | None:
    value = _field(item, name, str, where, optional=True)
    return None if value is None else _date(value, where)


def _text(item: dict, name: str, where: str, limit: int | None) -> str:
    value = _field(item, name, str, where)
    if limit is not None and len(value) > limit:
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


def _list(data: dict, name: str, most: int, ceiling: str) -> list:
    """The backup's list of `name`, refused (before reading its items) when it holds more
    than the `most` an account can."""
    value = data.get(name)
    if not isinstance(value, list):
        raise RestoreError(f"The backup has no list of {name}.")
    if len(value) > most:
        raise RestoreError(f"The backup has {len(value)} {name}; {ceiling}.")
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

    listed = _list(data, "triggers", MAX_TRIGGERS, f"an account keeps {MAX_TRIGGERS}, retired ones included")
    triggers = {}
    for n, item in enumerate(listed, 1):
        where = f"Trigger {n}"
        ref = _field(item, "id", int, where)
        if ref in triggers:
            raise RestoreError(f"{where}: the id {ref} is used twice.")
        triggers[ref] = _checked(
            Trigger(
                user=user,
                title=_field(item, "title", str, where),
                # Backups written before short names existed have none.
                short_name=_field(item, "short_name", str, where, optional=True) or "",
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

    active = sum(t.retired is None for t in triggers.values())
    if active > MAX_ACTIVE_TRIGGERS:
        raise RestoreError(
            f"The backup has {active} active triggers; a checklist holds at most {MAX_ACTIVE_TRIGGERS}."
        )

    most = months_in(FIRST_MONTH, this_month())
    listed = _list(data, "checkins", most, f"there are {most} months since {FIRST_MONTH:%B %Y}")
    checkins, months, text = [], set(), 0
    for n, item in enumerate(listed, 1):
        where = f"Check-in {n}"
        month = _date(_field(item, "month", str, where) + "-01", where)
        if month in months:
            raise RestoreError(f"{where}: there are two check-ins for {month:%B %Y}.")
        if month > this_month():
            raise RestoreError(f"{where}: {month:%B %Y} hasn’t started yet.")
        if month < FIRST_MONTH:
            raise RestoreError(
                f"{where}: {month:%B %Y} is before {FIRST_MONTH:%B %Y}, the earliest month kept."
            )
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
        listed = _field(item, "ratings", list, where)
        if len(listed) > MAX_RATINGS:
            raise RestoreError(
                f"{where}: it rates {len(listed)} triggers; a check-in holds at most {MAX_RATINGS}."
            )
        for rating in listed:
            ref = _field(rating, "trigger", int, where)
            if ref not in triggers or ref in rated:
                raise RestoreError(
                    f"{where}: a rating refers to trigger {ref}, which is unknown or rated twice."
                )
            rated.add(ref)
            # Checked field by field: a model's full_clean for each of tens of thousands
            # of ratings would take seconds.
            level = _field(rating, "level", int, where)
            if level not in LEVELS:
                raise RestoreError(f"{where}: a rating’s level is {level}; levels go from 0 to 3.")
            note = _text(rating, "note", where, Rating.note.field.max_length)
            # Made here, outside the transaction that writes them: making tens of
            # thousands of objects takes a while, and SQLite's write lock would wait.
            ratings.append(Rating(checkin=checkin, trigger=triggers[ref], level=level, note=note))
            text += len(note)
        text += len(checkin.notes) + len(checkin.talking_points)
        checkins.append((checkin, ratings))
    if text > MAX_TEXT:
        raise RestoreError(
            f"Its check-ins hold {text:,} characters of notes and talking points; "
            f"an account keeps at most {MAX_TEXT:,}."
        )

    jobs = []
    for n, item in enumerate(_list(data, "jobs", MAX_JOBS, f"careerapp keeps {MAX_JOBS}"), 1):
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
    return values, choices, triggers, checkins, jobs, _changes(user, data, triggers)


def _changes(user, data: dict, triggers: dict) -> list[ChecklistChange]:
    if "changes" not in data:  # a backup from before changes were kept
        return []
    changes = []
    for n, item in enumerate(_list(data, "changes", MAX_CHANGES, f"an account keeps {MAX_CHANGES}"), 1):
        where = f"Change {n}"
        ref = _field(item, "trigger", int, where)
        if ref not in triggers:
            raise RestoreError(f"{where}: it refers to trigger {ref}, which isn’t in the backup.")
        kind = _field(item, "kind", str, where)
        if kind not in ChangeKind.values:
            raise RestoreError(f"{where}: “{kind}” isn’t a kind of change careerapp knows.")
        old_title = _field(item, "old_title", str, where)
        if bool(old_title) != (kind == ChangeKind.REWORDED):
            raise RestoreError(f"{where}: only a rewording has an old title, and it always has one.")
        at = _created(item, where, "at")
        if at > timezone.now():
            raise RestoreError(f"{where}: {at.date().isoformat()} hasn’t come yet.")
        title = _field(item, "title", str, where)
        change = ChecklistChange(
            user=user, trigger=triggers[ref], kind=kind, title=title, old_title=old_title, at=at
        )
        changes.append(_checked(change, where, ["user", "trigger"]))
    return changes


def restore(user, data: dict) -> None:
    """Replace everything of `user` with the backup's content, or change nothing."""
    values, choices, triggers, checkins, jobs, changes = read(user, data)
    try:
        _replace(user, values, choices, triggers, checkins, jobs, changes)
    except DatabaseError:  # a rule the checks above missed; the database still holds
        raise RestoreError("The backup breaks one of careerapp’s rules, so nothing was restored.") from None


@transaction.atomic
def _replace(user, settings: dict, choices, triggers, checkins, jobs, changes) -> None:
    CheckIn.objects.filter(user=user).delete()  # with their ratings
    Trigger.objects.filter(user=user).delete()  # with their changes
    Job.objects.filter(user=user).delete()
    Trigger.objects.bulk_create(triggers.values())
    CheckIn.objects.bulk_create(checkin for checkin, _ in checkins)
    Rating.objects.bulk_create(rating for _, ratings in checkins for rating in ratings)
    Job.objects.bulk_create(jobs)
    ChecklistChange.objects.bulk_create(changes)
    # Export choices name triggers by id; the restored triggers have new ones.
    visibility = choices.get("visibility") if isinstance(choices.get("visibility"), dict) else {}
    new_ids = {str(ref): str(t.pk) for ref, t in triggers.items()}
    export_choices: dict[str, object] = {
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
    # PostgreSQL plans from statistics that autovacuum refreshes only a minute or so after
    # a bulk write. Until then a table it last saw empty is taken to be empty still, and the
    # dashboard's joins read the ratings over and over: 8 s for one at the ceilings.
    if connection.vendor == "postgresql":
        tables = ", ".join(model._meta.db_table for model in (Trigger, CheckIn, Rating))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
