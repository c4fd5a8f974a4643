"""Backup, restore and account deletion: everything of one person, and no one else's.

A restore checks the whole file before writing anything, so every refused file must
leave the account exactly as it was (compared through a fresh backup of it). Hostile
files get a 400 with "Nothing was restored" in the page, never a 500.
"""

import copy
import io
import json
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assessments import backup
from assessments.models import (
    FIRST_MONTH,
    MAX_ACTIVE_TRIGGERS,
    MAX_CHANGES,
    MAX_JOBS,
    MAX_RATINGS,
    MAX_TEXT,
    MAX_TRIGGERS,
    CheckIn,
    ChecklistChange,
    Job,
    Rating,
    Trigger,
    UserSettings,
    add_months,
    months_in,
    text_used,
    this_month,
)

from .factories import PASSWORD, make_checkin, make_trigger, make_user
from .helpers import account_snapshot, ago, client_for, fill_to_the_ceilings

pytestmark = pytest.mark.django_db

NOTHING_RESTORED = "Nothing was restored."


@pytest.fixture
def default_checklist() -> bool:
    return False  # the owner's and the other user's triggers are the ones `fill` gives them


def content(data: dict) -> dict:
    """A backup's content with ids aside: triggers are numbered by their order in the file."""
    data = copy.deepcopy(data)
    data.pop("exported", None)
    data.pop("username", None)
    order = {t["id"]: n for n, t in enumerate(data["triggers"])}
    for trigger in data["triggers"]:
        trigger["id"] = order[trigger["id"]]
    for checkin in data["checkins"]:
        for rating in checkin["ratings"]:
            rating["trigger"] = order[rating["trigger"]]
        checkin["ratings"].sort(key=lambda rating: rating["trigger"])
    for change in data.get("changes", []):
        change["trigger"] = order[change["trigger"]]
    choices = data["settings"]["export_choices"]
    if "visibility" in choices:
        choices["visibility"] = {str(order[int(k)]): v for k, v in choices["visibility"].items()}
    return data


def upload(raw: bytes, name: str = "backup.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, raw, content_type="application/json")


def encoded(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def restore_via_page(client, raw: bytes):
    return client.post(reverse("restore"), {"backup": upload(raw)})


def counts(user) -> dict:
    return {
        "triggers": Trigger.objects.filter(user=user).count(),
        "checkins": CheckIn.objects.filter(user=user).count(),
        "ratings": Rating.objects.filter(checkin__user=user).count(),
        "jobs": Job.objects.filter(user=user).count(),
        "settings": UserSettings.objects.filter(user=user).count(),
        "changes": ChecklistChange.objects.filter(user=user).count(),
    }


# A full account -------------------------------------------------------------------

PRIVATE_NOTES = "Private: thinking of leaving — don’t share\nsecond line"
RATING_NOTE = "Three reorgs in a year 🙃"


def fill(user, tag: str = "") -> dict:
    """An account using every part of the backup: retired, private and reordered triggers,
    check-ins with notes and gaps, ratings with notes, jobs, settings, export choices and
    every kind of change to the checklist but a restored trigger."""
    meetings = make_trigger(user, f"Meetings{tag}", theme="Team", short_name="Meetings")
    meetings.reword(f"Too many meetings{tag}", description="Every afternoon")
    trust = make_trigger(user, f"Lack of trust{tag}", theme="Manager", private=True)
    trust.toggle_private()
    trust.toggle_private()
    retired = make_trigger(user, f"Old worry{tag}", theme="")
    growth = make_trigger(user, f"No growth{tag}", theme="Role & growth")
    growth.move(-1)  # positions no longer follow ids
    first = make_checkin(
        user, ago(5), {meetings: 3, trust: 2, retired: 1}, wellbeing=2, satisfaction=1, energy=3, hours=55
    )
    Rating.objects.filter(checkin=first, trigger=meetings).update(note=RATING_NOTE)
    make_checkin(user, ago(3), {meetings: 2, growth: 0}, notes=PRIVATE_NOTES, talking_points=f"Ask{tag}")
    make_checkin(user, ago(1), {trust: 3, growth: 2}, wellbeing=4)  # scores left out
    retired.retire()
    Job.objects.create(user=user, employer=f"Duo{tag}", role="Engineer", start=date(2021, 3, 1))
    Job.objects.create(user=user, employer=f"Acme{tag}", start=date(2018, 1, 15), end=date(2021, 2, 28))
    UserSettings.of(user)
    UserSettings.objects.filter(user=user).update(
        turn_up_level=3,
        together_count=4,
        sustained_months=5,
        tenure_years=6,
        due_day=9,
        reminders=False,
        export_choices={
            "talking_points": False,
            "notes": True,
            "scores": True,
            "visibility": {str(meetings.pk): "theme", str(trust.pk): "show", str(growth.pk): "hide"},
        },
    )
    return {"meetings": meetings, "trust": trust, "retired": retired, "growth": growth}


@pytest.fixture
def full(owner):
    fill(owner)
    return owner


@pytest.fixture
def valid(full) -> dict:
    """A valid backup of the full account, to break in many ways."""
    return backup.dump(full)


# Download -------------------------------------------------------------------------


def test_the_backup_is_a_json_attachment_with_the_schema_and_version(owner_client, full):
    response = owner_client.get(reverse("backup"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="careerapp-backup-owner-')
    assert disposition.endswith('.json"')
    data = json.loads(response.content)
    assert data["schema"] == "careerapp-backup"
    assert data["version"] == 1
    assert data["username"] == "owner"


def test_the_backup_holds_everything_of_the_user(owner_client, full):
    data = json.loads(owner_client.get(reverse("backup")).content)
    triggers = {t["title"]: t for t in data["triggers"]}
    assert set(triggers) == {"Too many meetings", "Lack of trust", "Old worry", "No growth"}
    assert triggers["Old worry"]["retired"] == timezone.localdate().isoformat()
    assert [t["retired"] for t in data["triggers"]].count(None) == 3
    assert triggers["Lack of trust"]["private"] is True
    assert triggers["Too many meetings"]["description"] == "Every afternoon"
    assert triggers["Too many meetings"]["short_name"] == "Meetings"
    assert triggers["No growth"]["short_name"] == ""
    order = ["Too many meetings", "Lack of trust", "No growth", "Old worry"]  # by position
    assert [t["title"] for t in data["triggers"]] == order
    assert [c["month"] for c in data["checkins"]] == [f"{ago(m):%Y-%m}" for m in (5, 3, 1)]
    first, second, third = data["checkins"]
    scores = ("wellbeing", "satisfaction", "energy", "hours")
    assert [first[name] for name in scores] == [2, 1, 3, 55]
    assert [third[name] for name in scores] == [4, None, None, None]
    assert second["notes"] == PRIVATE_NOTES
    assert second["talking_points"] == "Ask"
    ids = {t["title"]: t["id"] for t in data["triggers"]}
    assert {"trigger": ids["Too many meetings"], "level": 3, "note": RATING_NOTE} in first["ratings"]
    assert {"trigger": ids["Old worry"], "level": 1, "note": ""} in first["ratings"]
    assert len(first["ratings"]) == 3
    assert data["jobs"] == [
        {"employer": "Acme", "role": "", "start": "2018-01-15", "end": "2021-02-28"},
        {"employer": "Duo", "role": "Engineer", "start": "2021-03-01", "end": None},
    ]
    now = timezone.now().isoformat()[:10]
    assert [(c["kind"], c["title"], c["old_title"], c["at"][:10]) for c in data["changes"]] == [
        ("added", "Meetings", "", now),
        ("reworded", "Too many meetings", "Meetings", now),
        ("added", "Lack of trust", "", now),
        ("shareable", "Lack of trust", "", now),
        ("private", "Lack of trust", "", now),
        ("added", "Old worry", "", now),
        ("added", "No growth", "", now),
        ("retired", "Old worry", "", now),
    ]
    assert {c["trigger"] for c in data["changes"]} == set(ids.values())
    assert data["settings"] == {
        "turn_up_level": 3,
        "together_count": 4,
        "sustained_months": 5,
        "tenure_years": 6,
        "due_day": 9,
        "reminders": False,
        "export_choices": {
            "talking_points": False,
            "notes": True,
            "scores": True,
            "visibility": {
                str(ids["Too many meetings"]): "theme",
                str(ids["Lack of trust"]): "show",
                str(ids["No growth"]): "hide",
            },
        },
    }


def test_the_backup_holds_nothing_of_another_user(owner_client, full, other):
    fill(other, tag=" (theirs)")
    response = owner_client.get(reverse("backup"))
    text = response.content.decode()
    assert "(theirs)" not in text
    assert '"other"' not in text
    data = json.loads(text)
    own_ids = set(Trigger.objects.filter(user=full).values_list("pk", flat=True))
    assert {t["id"] for t in data["triggers"]} == own_ids
    assert len(data["checkins"]) == 3


def test_the_backup_asks_an_anonymous_visitor_to_log_in(client, full):
    response = client.get(reverse("backup"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_settings_page_offers_download_and_restore(owner_client):
    page = owner_client.get(reverse("settings")).text
    assert f'href="{reverse("backup")}"' in page
    assert "Download backup" in page
    assert f'action="{reverse("restore")}" enctype="multipart/form-data"' in page
    assert 'name="backup"' in page


# Round trip -------------------------------------------------------------------------


def test_a_backup_restored_into_a_fresh_account_gives_the_same_backup(owner_client, full):
    original = json.loads(owner_client.get(reverse("backup")).content)
    fresh = make_user("fresh")
    client = client_for(fresh)
    response = restore_via_page(client, owner_client.get(reverse("backup")).content)
    assert response.status_code == 302
    assert response.url == reverse("settings")
    assert "Backup restored." in client.get(reverse("settings")).text
    restored = json.loads(client.get(reverse("backup")).content)
    assert restored["username"] == "fresh"
    assert content(restored) == content(original)
    # The fresh account's default checklist was replaced, not added to.
    assert Trigger.objects.filter(user=fresh).count() == 4


# A value other than its default for every setting a person edits. A setting added to the
# model fails the test below until it has one here, and then the test checks its backup.
CHANGED_SETTINGS = {
    "turn_up_level": 3,
    "together_count": 7,
    "sustained_months": 4,
    "tenure_years": 9,
    "due_day": 17,
    "reminders": False,
    "export_choices": {"talking_points": False, "notes": True, "scores": False, "visibility": {}},
}


def test_every_setting_a_person_edits_survives_a_backup_and_restore(owner):
    editable = {
        field.name
        for field in UserSettings._meta.concrete_fields
        if field.editable and not field.primary_key and field.name != "user"
    }
    assert set(CHANGED_SETTINGS) == editable, "give each setting a changed value in CHANGED_SETTINGS"
    UserSettings.of(owner)
    UserSettings.objects.filter(user=owner).update(**CHANGED_SETTINGS)
    fresh = make_user("fresh")
    backup.restore(fresh, backup.parse(encoded(backup.dump(owner))))
    restored = UserSettings.objects.get(user=fresh)
    assert {name: getattr(restored, name) for name in CHANGED_SETTINGS} == CHANGED_SETTINGS


def test_a_backup_from_before_reminders_keeps_the_accounts_own_reminder_settings(full, valid):
    for name in ("due_day", "reminders"):
        del valid["settings"][name]
    UserSettings.objects.filter(user=full).update(due_day=12, reminders=True)
    backup.restore(full, valid)
    restored = UserSettings.objects.get(user=full)
    assert (restored.due_day, restored.reminders) == (12, True)
    assert (restored.turn_up_level, restored.together_count) == (3, 4)


def test_a_backup_from_before_changes_were_kept_restores_with_no_changes(full, valid):
    del valid["changes"]
    fresh = make_user("fresh")
    make_trigger(fresh, "Fresh trigger").retire()
    backup.restore(fresh, valid)
    assert Trigger.objects.filter(user=fresh).count() == 4
    assert CheckIn.objects.filter(user=fresh).count() == 3
    assert ChecklistChange.objects.filter(user=fresh).count() == 0  # the account's own went too


def test_restored_changes_point_at_the_restored_triggers_and_keep_their_dates(full, clock):
    data = backup.dump(full)
    clock.shift(timedelta(days=40))
    fresh = make_user("fresh")
    make_trigger(fresh, "Fresh trigger")
    backup.restore(fresh, data)
    changes = ChecklistChange.objects.filter(user=fresh).order_by("at", "id")
    assert [c.at.isoformat() for c in changes] == [c["at"] for c in data["changes"]]
    assert all(c.trigger.user == fresh for c in changes)
    assert changes.get(kind="reworded").trigger.title == "Too many meetings"
    assert ChecklistChange.objects.filter(user=full).count() == len(data["changes"])


def test_a_backup_from_before_short_names_restores_without_them(full, valid):
    for trigger in valid["triggers"]:
        del trigger["short_name"]
    fresh = make_user("fresh")
    backup.restore(fresh, valid)
    assert set(Trigger.objects.filter(user=fresh).values_list("short_name", flat=True)) == {""}
    assert Trigger.objects.filter(user=fresh).count() == 4


def test_restored_ratings_point_at_the_restored_triggers(full):
    fresh = make_user("fresh")
    backup.restore(fresh, backup.dump(full))
    rating = Rating.objects.get(checkin__user=fresh, note=RATING_NOTE)
    assert rating.trigger.user == fresh
    assert rating.trigger.title == "Too many meetings"
    assert Rating.objects.filter(checkin__user=fresh).exclude(trigger__user=fresh).count() == 0


def test_the_restored_export_choices_follow_the_triggers_to_their_new_ids(full):
    fresh = make_user("fresh")
    backup.restore(fresh, backup.dump(full))
    choices = UserSettings.of(fresh).export_choices
    titles = {str(t.pk): t.title for t in Trigger.objects.filter(user=fresh)}
    assert {titles[k]: v for k, v in choices["visibility"].items()} == {
        "Too many meetings": "theme",
        "Lack of trust": "show",
        "No growth": "hide",
    }


def test_restoring_the_same_file_twice_changes_nothing(owner_client, full):
    raw = owner_client.get(reverse("backup")).content
    assert restore_via_page(owner_client, raw).status_code == 302
    once = account_snapshot(full)
    sizes = counts(full)
    assert restore_via_page(owner_client, raw).status_code == 302
    assert content(account_snapshot(full)) == content(once)
    assert (
        counts(full)
        == sizes
        == {
            "triggers": 4,
            "checkins": 3,
            "ratings": 7,
            "jobs": 2,
            "settings": 1,
            "changes": 8,
        }
    )
    assert content(once) == content(json.loads(raw))


def test_a_restore_leaves_another_users_data_alone(owner_client, full, other):
    fill(other, tag=" (theirs)")
    theirs = account_snapshot(other)
    assert restore_via_page(owner_client, owner_client.get(reverse("backup")).content).status_code == 302
    assert account_snapshot(other) == theirs


def test_an_account_can_be_restored_from_another_accounts_backup_without_touching_it(full, other):
    theirs = account_snapshot(full)
    backup.restore(other, backup.dump(full))
    assert account_snapshot(full) == theirs
    assert content(account_snapshot(other)) == content(theirs)


def test_a_backup_written_by_the_command_restores_through_the_page(full, tmp_path):
    out = io.StringIO()
    call_command("export_history", "owner", "--format", "json", stdout=out)
    fresh = make_user("fresh")
    client = client_for(fresh)
    assert restore_via_page(client, out.getvalue().encode()).status_code == 302
    assert content(account_snapshot(fresh)) == content(account_snapshot(full))


# Refused files ---------------------------------------------------------------------


def future_month() -> str:
    return f"{add_months(this_month(), 1):%Y-%m}"


# A backup holding more than the ceilings in assessments/models.py, or months outside them.
CEILINGS = [
    "more triggers than an account keeps",
    "more active triggers than a checklist holds",
    "more ratings than a check-in holds",
    "more check-ins than months since 1970",
    "more jobs than an account keeps",
    "more text than an account keeps",
    "more changes than an account keeps",
    "month before 1970",
    "month in the year 999",
    "job before 1950",
]


def broken(valid: dict, case: str):
    """A copy of the valid backup broken in one way, as bytes."""
    data = copy.deepcopy(valid)
    checkin, rating = data["checkins"][0], data["checkins"][0]["ratings"][0]
    trigger, job = data["triggers"][0], data["jobs"][0]
    change = data["changes"][0]
    reworded = next(c for c in data["changes"] if c["kind"] == "reworded")
    match case:
        case "malformed json":
            return encoded(data)[:-10]
        case "not utf-8":
            return '{"schema": "careerapp-backup", "x": "é"}'.encode("latin-1")
        case "empty file":
            return b""
        case "a list":
            return encoded([data])
        case "a string":
            return encoded("careerapp-backup")
        case "wrong schema":
            data["schema"] = "someone-elses-backup"
        case "no schema":
            del data["schema"]
        case "version 2":
            data["version"] = 2
        case "version as text":
            data["version"] = "1"
        case "oversized":
            return encoded(data) + b" " * (backup.MAX_BYTES + 1 - len(encoded(data)))
        case "deep nesting":
            return b"[" * 100000
        case "deep object nesting":
            return b'{"a":' * 100000
        case "no triggers":
            del data["triggers"]
        case "no check-ins":
            del data["checkins"]
        case "no jobs":
            del data["jobs"]
        case "no settings":
            del data["settings"]
        case "setting missing":
            del data["settings"]["together_count"]
        case "setting out of range":
            data["settings"]["together_count"] = 0
        case "export choices a list":
            data["settings"]["export_choices"] = ["show"]
        case "triggers an object":
            data["triggers"] = {"1": trigger}
        case "trigger not an object":
            data["triggers"][0] = "Too many meetings"
        case "trigger without title":
            del trigger["title"]
        case "title empty":
            trigger["title"] = ""
        case "title of 201 characters":
            trigger["title"] = "x" * 201
        case "title a number":
            trigger["title"] = 7
        case "short name of 25 characters":
            trigger["short_name"] = "x" * 25
        case "short name a number":
            trigger["short_name"] = 7
        case "private as text":
            trigger["private"] = "yes"
        case "negative position":
            trigger["position"] = -1
        case "trigger id twice":
            data["triggers"][1]["id"] = trigger["id"]
        case "trigger id as text":
            trigger["id"] = str(trigger["id"])
        case "created not a date":
            trigger["created"] = "yesterday"
        case "retired not a date":
            trigger["retired"] = "2026-02-30"
        case "retired empty":
            trigger["retired"] = ""
        case "created out of range":
            trigger["created"] = "0001-01-01T00:00:00+05:00"
        case "lone surrogate in a title":
            return encoded(data).replace(json.dumps(trigger["title"]).encode(), b'"\\ud800"')
        case "check-in without month":
            del checkin["month"]
        case "month 13":
            checkin["month"] = "2026-13"
        case "month as a date":
            checkin["month"] = "2026-01-01"
        case "month in the future":
            checkin["month"] = future_month()
        case "duplicate months":
            data["checkins"][1]["month"] = checkin["month"]
        case "level as text":
            rating["level"] = "3"
        case "level true":
            rating["level"] = True
        case "level 7":
            rating["level"] = 7
        case "level -1":
            rating["level"] = -1
        case "level 2.0":
            rating["level"] = 2.0
        case "level missing":
            del rating["level"]
        case "hours 500":
            checkin["hours"] = 500
        case "wellbeing 0":
            checkin["wellbeing"] = 0
        case "energy 6":
            checkin["energy"] = 6
        case "notes not text":
            checkin["notes"] = ["secret"]
        case "ratings not a list":
            checkin["ratings"] = {"level": 3}
        case "rating of an unknown trigger":
            rating["trigger"] = max(t["id"] for t in data["triggers"]) + 1000
        case "trigger rated twice":
            checkin["ratings"].append(dict(rating))
        case "job ends before it starts":
            job["start"], job["end"] = "2021-02-28", "2018-01-15"
        case "job without employer":
            job["employer"] = ""
        case "job start not a date":
            job["start"] = "March 2021"
        case "job end empty":
            job["end"] = ""
        case "changes an object":
            data["changes"] = {"1": change}
        case "change not an object":
            data["changes"][0] = "added"
        case "change of an unknown trigger":
            change["trigger"] = max(t["id"] for t in data["triggers"]) + 1000
        case "change kind unknown":
            change["kind"] = "deleted"
        case "change without a date":
            del change["at"]
        case "change date not a date":
            change["at"] = "last spring"
        case "change in the future":
            change["at"] = "2999-01-01T00:00:00+00:00"
        case "old title on an addition":
            change["old_title"] = "Before"
        case "rewording without an old title":
            reworded["old_title"] = ""
        case "change title empty":
            change["title"] = ""
        case "change title of 201 characters":
            change["title"] = "x" * 201
        case "more changes than an account keeps":
            data["changes"] = [dict(change) for _ in range(MAX_CHANGES + 1)]
        case "more triggers than an account keeps":
            data["triggers"] += [
                dict(trigger, id=10**6 + n) for n in range(MAX_TRIGGERS + 1 - len(data["triggers"]))
            ]
            for extra in data["triggers"][len(valid["triggers"]) :]:
                extra["retired"] = "2020-01-01"
        case "more active triggers than a checklist holds":
            active = sum(t["retired"] is None for t in data["triggers"])
            data["triggers"] += [
                dict(trigger, id=10**6 + n, retired=None) for n in range(MAX_ACTIVE_TRIGGERS + 1 - active)
            ]
        case "more ratings than a check-in holds":
            data["triggers"] += [
                dict(trigger, id=10**6 + n, retired="2020-01-01") for n in range(MAX_RATINGS)
            ]
            checkin["ratings"] = [{"trigger": 10**6 + n, "level": 1, "note": ""} for n in range(MAX_RATINGS)]
            checkin["ratings"].append(rating)
        case "more check-ins than months since 1970":
            data["checkins"] = [
                dict(checkin, month=f"{add_months(FIRST_MONTH, n):%Y-%m}", ratings=[])
                for n in range(months_in(FIRST_MONTH, this_month()) + 1)
            ]
        case "more jobs than an account keeps":
            data["jobs"] = [dict(job) for _ in range(MAX_JOBS + 1)]
        case "more text than an account keeps":
            for month in data["checkins"]:
                month["notes"] = month["talking_points"] = "x" * 10_000
            data["checkins"] += [
                dict(checkin, month=f"{add_months(FIRST_MONTH, n):%Y-%m}", ratings=[], notes="x" * 10_000)
                for n in range(MAX_TEXT // 20_000)
            ]
        case "month before 1970":
            checkin["month"] = "1969-12"
        case "month in the year 999":
            checkin["month"] = "0999-05"
        case "job before 1950":
            job["start"] = "1949-12-31"
        case _:
            raise AssertionError(case)
    return encoded(data)


CASES = [
    "malformed json",
    "not utf-8",
    "empty file",
    "a list",
    "a string",
    "wrong schema",
    "no schema",
    "version 2",
    "version as text",
    "oversized",
    "deep nesting",
    "deep object nesting",
    "no triggers",
    "no check-ins",
    "no jobs",
    "no settings",
    "setting missing",
    "setting out of range",
    "export choices a list",
    "triggers an object",
    "trigger not an object",
    "trigger without title",
    "title empty",
    "title of 201 characters",
    "title a number",
    "short name of 25 characters",
    "short name a number",
    "private as text",
    "negative position",
    "trigger id twice",
    "trigger id as text",
    "created not a date",
    "retired not a date",
    "retired empty",
    "created out of range",
    "lone surrogate in a title",
    "check-in without month",
    "month 13",
    "month as a date",
    "month in the future",
    "duplicate months",
    "level as text",
    "level true",
    "level 7",
    "level -1",
    "level 2.0",
    "level missing",
    "hours 500",
    "wellbeing 0",
    "energy 6",
    "notes not text",
    "ratings not a list",
    "rating of an unknown trigger",
    "trigger rated twice",
    "job ends before it starts",
    "job without employer",
    "job start not a date",
    "job end empty",
    "changes an object",
    "change not an object",
    "change of an unknown trigger",
    "change kind unknown",
    "change without a date",
    "change date not a date",
    "change in the future",
    "old title on an addition",
    "rewording without an old title",
    "change title empty",
    "change title of 201 characters",
    *CEILINGS,
]

MESSAGES = {  # a few of the clear messages, word for word
    "malformed json": "The file isn’t valid JSON, so it can’t be a backup from careerapp.",
    "deep nesting": "The file isn’t valid JSON, so it can’t be a backup from careerapp.",
    "a list": "The file isn’t a careerapp backup.",
    "wrong schema": "The file isn’t a careerapp backup.",
    "version 2": "This backup has schema version 2; this careerapp reads version 1.",
    "oversized": "The file is larger than 10 MB, the most a restore takes.",
    "no triggers": "The backup has no list of triggers.",
    "duplicate months": "there are two check-ins for",
    "month in the future": "hasn’t started yet",
    "rating of an unknown trigger": "which is unknown or rated twice",
    "job ends before it starts": "Job 1: it ends before it starts.",
    "level true": "Check-in 1: “level” is missing or has the wrong type.",
    "more triggers than an account keeps": (
        f"The backup has {MAX_TRIGGERS + 1} triggers; an account keeps {MAX_TRIGGERS}, retired ones included."
    ),
    "more active triggers than a checklist holds": (
        f"The backup has {MAX_ACTIVE_TRIGGERS + 1} active triggers; "
        f"a checklist holds at most {MAX_ACTIVE_TRIGGERS}."
    ),
    "more ratings than a check-in holds": (
        f"Check-in 1: it rates {MAX_RATINGS + 1} triggers; a check-in holds at most {MAX_RATINGS}."
    ),
    "more check-ins than months since 1970": "months since January 1970.",
    "more jobs than an account keeps": f"The backup has {MAX_JOBS + 1} jobs; careerapp keeps {MAX_JOBS}.",
    "more text than an account keeps": f"an account keeps at most {MAX_TEXT:,}.",
    "month before 1970": "Check-in 1: December 1969 is before January 1970, the earliest month kept.",
    "month in the year 999": "Check-in 1: May 999 is before January 1970, the earliest month kept.",
    "job before 1950": "Job 1: start: A job can start on 1 January 1950 or later.",
    "changes an object": "The backup has no list of changes.",
    "change of an unknown trigger": "Change 1: it refers to trigger",
    "change kind unknown": "Change 1: “deleted” isn’t a kind of change careerapp knows.",
    "change without a date": "Change 1: “at” is missing or has the wrong type.",
    "change date not a date": "Change 1: “last spring” is not a valid date.",
    "change in the future": "Change 1: 2999-01-01 hasn’t come yet.",
    "old title on an addition": "Change 1: only a rewording has an old title, and it always has one.",
    "rewording without an old title": "Change 2: only a rewording has an old title, and it always has one.",
    "change title empty": "Change 1: title: This field cannot be blank.",
    "more changes than an account keeps": (
        f"The backup has {MAX_CHANGES + 1} changes; an account keeps {MAX_CHANGES}."
    ),
}


@pytest.fixture
def page_client(owner_client):
    """The owner's client, answering a server error with a 500 page instead of raising."""
    owner_client.raise_request_exception = False
    return owner_client


@pytest.mark.parametrize("case", CASES)
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(page_client, full, valid, case):
    """Through the page, and through backup.restore itself, which refuses it with a
    RestoreError (an oversized file never gets that far: the test below)."""
    raw = broken(valid, case)
    before, sizes = account_snapshot(full), counts(full)
    response = restore_via_page(page_client, raw)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<p class="message error">{NOTHING_RESTORED}' in page
    if case in MESSAGES:
        assert MESSAGES[case] in page
    assert account_snapshot(full) == before
    assert counts(full) == sizes
    if case != "oversized":
        with pytest.raises(backup.RestoreError):
            backup.restore(full, backup.parse(raw))
        assert account_snapshot(full) == before


def test_a_file_just_over_ten_megabytes_is_refused_before_it_is_read(full):
    with pytest.raises(backup.RestoreError, match="larger than 10 MB"):
        backup.parse(b" " * (backup.MAX_BYTES + 1))


def test_a_restore_without_a_file_asks_for_one(owner_client, full):
    before = account_snapshot(full)
    response = owner_client.post(reverse("restore"), {})
    assert response.status_code == 400
    assert "Nothing was restored. Choose a backup file to restore." in response.content.decode()
    assert account_snapshot(full) == before


def test_a_restore_must_be_posted(owner_client, full):
    assert owner_client.get(reverse("restore")).status_code == 405


def test_an_anonymous_restore_is_sent_to_log_in_and_changes_nothing(client, full, valid):
    before = account_snapshot(full)
    valid["triggers"] = []
    valid["checkins"] = []
    response = restore_via_page(client, encoded(valid))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert account_snapshot(full) == before


def test_unknown_keys_and_odd_export_choices_are_ignored(full, valid):
    valid["comment"] = "written by hand"
    valid["triggers"][0]["colour"] = "blue"
    valid["settings"]["export_choices"] = {
        "notes": "yes",
        "scores": False,
        "visibility": {"99999": "show", str(valid["triggers"][0]["id"]): "sideways"},
    }
    fresh = make_user("fresh")
    backup.restore(fresh, valid)
    assert UserSettings.of(fresh).export_choices == {"scores": False, "visibility": {}}
    assert Trigger.objects.filter(user=fresh).count() == 4


# Property-based: any mutation either restores or changes nothing --------------------


def paths(node, here=()):
    """Every place in a JSON tree: the tree itself, each key's value, each item."""
    yield here
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*here, key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from paths(value, (*here, n))


def replaced(tree, path, value):
    if not path:
        return value
    tree = copy.deepcopy(tree)
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return tree


def removed(tree, path):
    tree = copy.deepcopy(tree)
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return tree


ODD_TEXT = ["", " ", "2026-13", "2026-02-30", "x" * 201, "9999-12-31", "0001-01-01", "show", "theme", "1"]
OFFSETS = [UTC, dt_timezone(timedelta(hours=14)), dt_timezone(timedelta(hours=-12))]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.sampled_from(ODD_TEXT),
    st.builds(future_month),  # at draw time: the clock is set per test
    st.sampled_from([-1, 0, 1, 3, 4, 6, 101, 2**31, 2**63, 10**30]),
    st.dates().map(date.isoformat),
    st.datetimes().map(datetime.isoformat),  # naive
    st.datetimes(timezones=st.sampled_from(OFFSETS)).map(datetime.isoformat),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def mutate(draw, valid: dict):
    """One to three changes to a valid backup: a value replaced by any JSON, or removed."""
    data = valid
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(list(paths(data))))
        if path and draw(st.booleans()) and draw(st.booleans()):
            data = removed(data, path)
        else:
            data = replaced(data, path, draw(json_values))
    return data


@given(st.data())
def test_a_mutated_backup_either_restores_or_changes_nothing(full, valid, data):
    mutated = mutate(data.draw, valid)
    before = account_snapshot(full)
    try:
        backup.restore(full, backup.parse(json.dumps(mutated).encode()))
    except backup.RestoreError as problem:
        assert str(problem)
        assert account_snapshot(full) == before
    else:
        assert Trigger.objects.filter(user=full).count() == len(mutated["triggers"])
        assert CheckIn.objects.filter(user=full).count() == len(mutated["checkins"])


@given(raw=st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())))
def test_arbitrary_bytes_are_refused_with_a_restore_error_and_change_nothing(full, raw):
    before = account_snapshot(full)
    with pytest.raises(backup.RestoreError):
        backup.restore(full, backup.parse(raw))
    assert account_snapshot(full) == before


# The import_history command -----------------------------------------------------------


def test_the_import_command_restores_a_valid_file(full, tmp_path):
    path = tmp_path / "backup.json"
    path.write_bytes(encoded(backup.dump(full)))
    fresh = make_user("fresh")
    out = io.StringIO()
    call_command("import_history", "fresh", str(path), stdout=out)
    assert "Restored" in out.getvalue()
    assert content(account_snapshot(fresh)) == content(account_snapshot(full))


def test_the_import_command_refuses_an_invalid_file_and_changes_nothing(full, valid, tmp_path):
    path = tmp_path / "backup.json"
    path.write_bytes(broken(valid, "level 7"))
    before = account_snapshot(full)
    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("import_history", "owner", str(path), stdout=io.StringIO())
    assert account_snapshot(full) == before


@pytest.mark.parametrize("case", CEILINGS)
def test_the_import_command_refuses_a_file_beyond_a_ceiling_with_its_message(full, valid, tmp_path, case):
    path = tmp_path / "backup.json"
    path.write_bytes(broken(valid, case))
    before = account_snapshot(full)
    with pytest.raises(CommandError, match="Nothing was restored") as refused:
        call_command("import_history", "owner", str(path), stdout=io.StringIO())
    assert MESSAGES[case] in str(refused.value)
    assert account_snapshot(full) == before


def test_a_backup_at_every_ceiling_restores(full, valid):
    """Right at each ceiling is fine; one more is what the cases above refuse."""
    data = copy.deepcopy(valid)
    trigger, job = data["triggers"][0], data["jobs"][0]
    data["triggers"] = [
        dict(trigger, id=n, retired=None if n < MAX_ACTIVE_TRIGGERS else "2020-01-01")
        for n in range(MAX_TRIGGERS)
    ]
    first = dict(data["checkins"][0], notes="x" * 10_000, talking_points="")
    first["ratings"] = [{"trigger": n, "level": 3, "note": ""} for n in range(MAX_RATINGS)]
    data["checkins"] = [first] + [
        dict(first, month=f"{add_months(FIRST_MONTH, n):%Y-%m}", ratings=[], notes="x" * 10_000)
        for n in range(MAX_TEXT // 10_000 - 1)
    ]
    data["jobs"] = [dict(job, start="1950-01-01") for _ in range(MAX_JOBS)]
    data["changes"] = [dict(data["changes"][0], trigger=n % MAX_TRIGGERS) for n in range(MAX_CHANGES)]
    backup.restore(full, backup.parse(encoded(data)))
    assert Trigger.objects.filter(user=full).count() == MAX_TRIGGERS
    assert Trigger.objects.filter(user=full, retired__isnull=True).count() == MAX_ACTIVE_TRIGGERS
    assert Job.objects.filter(user=full).count() == MAX_JOBS
    assert Rating.objects.filter(checkin__user=full).count() == MAX_RATINGS
    assert text_used(full.pk) == MAX_TEXT
    assert ChecklistChange.objects.filter(user=full).count() == MAX_CHANGES


def rows_handled(sql: str) -> int:
    """The rows PostgreSQL's plan for `sql` produced or threw away, over all its loops."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        nodes = [cursor.fetchone()[0][0]["Plan"]]
    total = 0
    while nodes:
        node = nodes.pop()
        thrown = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Join Filter", 0)
        total += node["Actual Loops"] * (node["Actual Rows"] + thrown)
        nodes += node.get("Plans", [])
    return total


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a matter of PostgreSQL's planner")
def test_after_a_restore_at_the_ceilings_no_dashboard_query_reads_the_ratings_over_and_over(
    transactional_db, owner, owner_client
):
    fill_to_the_ceilings(owner)
    data = backup.parse(encoded(backup.dump(owner)))
    # As autovacuum leaves tables whose rows were all deleted: pages it says hold none.
    CheckIn.objects.all().delete()
    Trigger.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (TRUNCATE false) assessments_trigger, assessments_rating")
    backup.restore(owner, data)
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get(reverse("dashboard"), {"range": "all"}).status_code == 200
    ratings = Rating.objects.count()
    assert max(rows_handled(query["sql"]) for query in queries) < 10 * ratings


def test_the_import_command_refuses_an_oversized_file(full, valid, tmp_path):
    path = tmp_path / "backup.json"
    path.write_bytes(broken(valid, "oversized"))
    before = account_snapshot(full)
    with pytest.raises(CommandError, match="larger than 10 MB"):
        call_command("import_history", "owner", str(path), stdout=io.StringIO())
    assert account_snapshot(full) == before


def test_the_import_command_refuses_a_missing_file(full, tmp_path):
    with pytest.raises(CommandError, match="Can’t read"):
        call_command("import_history", "owner", str(tmp_path / "nowhere.json"), stdout=io.StringIO())


def test_the_import_command_refuses_an_unknown_user(full, tmp_path):
    path = tmp_path / "backup.json"
    path.write_bytes(encoded(backup.dump(full)))
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("import_history", "nobody", str(path), stdout=io.StringIO())


# Deleting the account ------------------------------------------------------------------


def test_the_delete_page_offers_the_backup_first(owner_client, full):
    response = owner_client.get(reverse("account_delete"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<a href="{reverse("backup")}" download>Download backup</a>' in page
    assert page.index("Download backup") < page.index("Delete my account")
    assert "Type your username to confirm" in page
    assert 'autocomplete="current-password"' in page
    assert "Your password" in page


@pytest.mark.parametrize("typed", ["other", "Owner", "", "owner2"])
def test_deleting_with_the_wrong_username_deletes_nothing(owner_client, full, typed):
    before, sizes = account_snapshot(full), counts(full)
    response = owner_client.post(reverse("account_delete"), {"confirm": typed, "password": PASSWORD})
    assert response.status_code == 400
    assert get_user_model().objects.filter(pk=full.pk).exists()
    assert account_snapshot(full) == before
    assert counts(full) == sizes
    assert owner_client.get(reverse("settings")).status_code == 200  # still logged in


def test_deleting_with_username_and_password_removes_all_of_the_user_and_logs_out(owner_client, full, other):
    fill(other, tag=" (theirs)")
    theirs, their_sizes = account_snapshot(other), counts(other)
    sizes = counts(full)
    assert all(sizes.values())
    response = owner_client.post(reverse("account_delete"), {"confirm": "owner", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not get_user_model().objects.filter(username="owner").exists()
    assert set(counts(full).values()) == {0}
    assert Trigger.objects.exclude(user=other).count() == 0
    assert CheckIn.objects.exclude(user=other).count() == 0
    assert Rating.objects.exclude(checkin__user=other).count() == 0
    assert Job.objects.exclude(user=other).count() == 0
    assert UserSettings.objects.exclude(user=other).count() == 0
    assert account_snapshot(other) == theirs
    assert counts(other) == their_sizes
    after = owner_client.get(reverse("settings"))
    assert after.status_code == 302
    assert after.url.startswith(reverse("login"))


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_deleting_without_the_right_password_deletes_nothing(owner_client, full, password):
    before, sizes = account_snapshot(full), counts(full)
    response = owner_client.post(reverse("account_delete"), {"confirm": "owner", "password": password})
    assert response.status_code == 400
    assert get_user_model().objects.filter(pk=full.pk).exists()
    assert account_snapshot(full) == before
    assert counts(full) == sizes
    assert owner_client.get(reverse("settings")).status_code == 200


def test_deleting_the_account_anonymously_asks_to_log_in_and_deletes_nothing(client, full):
    sizes = counts(full)
    for response in (
        client.get(reverse("account_delete")),
        client.post(reverse("account_delete"), {"confirm": "owner", "password": PASSWORD}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert get_user_model().objects.filter(pk=full.pk).exists()
    assert counts(full) == sizes


def test_another_user_cannot_delete_the_owner_by_typing_the_owners_name(other_client, full, other):
    sizes = counts(full)
    response = other_client.post(reverse("account_delete"), {"confirm": "owner", "password": PASSWORD})
    assert response.status_code == 400
    assert counts(full) == sizes
    assert get_user_model().objects.filter(pk=other.pk).exists()


def test_a_restore_of_naive_and_aware_created_times_keeps_the_moment(full, valid):
    valid["triggers"][0]["created"] = "2024-05-06T07:08:09"
    valid["triggers"][1]["created"] = "2024-05-06T09:08:09+02:00"
    fresh = make_user("fresh")
    backup.restore(fresh, valid)
    created = [t.created for t in Trigger.objects.filter(user=fresh).order_by("position", "id")]
    expected = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert created[:2] == [expected, expected]
