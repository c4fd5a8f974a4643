"""The 1:1 export: what the person chose to share, and nothing else.

Every format is searched for what must never leave the account: private and hidden
triggers, the titles and notes behind "Theme only", the check-in's private notes, and
anything of another user. The preview is the #preview section of /export/, the downloads
are POSTs to /export/markdown/, /export/print/ and /export/csv/.
"""

import csv
import importlib
import io
import json
import re
from dataclasses import dataclass
from html import unescape

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from markdown_it import MarkdownIt

from assessments import backup, exports
from assessments.defaults import add_default_checklist
from assessments.models import CheckIn, Rating, Trigger, UserSettings, add_months, this_month

from .factories import make_checkin, make_trigger, make_user
from .helpers import HTMX, ago, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_checklist() -> bool:
    return False  # each test makes its own triggers, or adds the default checklist by name


FORMATS = ["preview", "htmx preview", "markdown", "print", "csv"]
CSV_HEADER = [
    "month",
    "trigger",
    "level",
    "level_name",
    "note",
    "theme_triggers_turning_up",
    "wellbeing",
    "job_satisfaction",
    "energy",
    "weekly_hours",
    "talking_points",
]
FIX_THE_CHOICES = "Fix the choices above to see the preview."


def ym(month) -> str:
    return f"{month:%Y-%m}"


def form_data(user, start, end, visibility=None, *, talking_points=True, notes=False, scores=True) -> dict:
    """What the export form sends: the period, the includes ticked, a choice per trigger."""
    data = {"start": ym(start), "end": ym(end)}
    for name, on in (("talking_points", talking_points), ("notes", notes), ("scores", scores)):
        if on:
            data[name] = "on"
    visibility = visibility or {}
    for trigger in Trigger.objects.filter(user=user):
        data[f"t_{trigger.pk}"] = visibility.get(trigger, "hide" if trigger.private else "show")
    return data


def preview_section(html: str) -> str:
    """The preview: the handout as the manager reads it, and its Markdown to copy."""
    match = re.search(r'<section id="preview".*?</section>', html, re.S)
    assert match, html[:500]
    return unescape(match.group(0))


def handout(html: str) -> str:
    """The handout's HTML (of the preview, the printable page or a shared link's page)."""
    match = re.search(r'<div class="handout">.*?\n</div>', html, re.S)
    assert match, html[:500]
    return match.group(0)


def heat_rows(html: str) -> dict[str, list[str]]:
    """The handout's month-by-month table: each row's label and what each cell shows."""
    rows = {}
    for label, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', handout(html), re.S):
        shown = [
            re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", cell)
            for cell in cells.split("</td>")
        ]
        rows[unescape(label)] = [unescape(cell) for cell in shown[:-1]]
    return rows


def without_key(html: str) -> str:
    """The handout without its key, which names every level whatever the table holds."""
    return re.sub(r'<p class="heat-key">.*?</p>', "", html, flags=re.S)


def exported(client, fmt: str, data: dict) -> str:
    """The text a format shares for these choices (the preview only, not the form around it)."""
    if fmt == "preview":
        response = client.get(reverse("export"), data)
        assert response.status_code == 200
        return preview_section(response.text)
    if fmt == "htmx preview":
        response = client.get(reverse("export"), data, **HTMX)
        assert response.status_code == 200
        assert "<html" not in response.text
        return preview_section(response.text)
    response = client.post(reverse("export_download", args=[fmt]), data)
    assert response.status_code == 200, response.content[:500]
    if fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")
        return response.content.decode("utf-8-sig")
    text = response.content.decode("utf-8")
    return unescape(text) if fmt == "print" else text


def checked_radios(html: str) -> dict[int, str]:
    return {int(pk): value for pk, value in re.findall(r'name="t_(\d+)" value="(\w+)" checked', html)}


def checkbox_on(html: str, name: str) -> bool:
    tag = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', html)
    assert tag, name
    return " checked" in tag.group(0)


def month_value(html: str, name: str) -> str:
    tag = re.search(rf'<input type="month" name="{name}"[^>]*>', html)
    assert tag, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def saved(user) -> dict:
    return UserSettings.of(user).export_choices


# A shared history ------------------------------------------------------------------


@dataclass
class History:
    user: object
    shown: Trigger
    shown_too: Trigger
    private: Trigger
    hidden: Trigger
    lead: Trigger
    lead_too: Trigger

    @property
    def choices(self) -> dict:
        """Private on its default (hide), one hidden, the two Leadership ones on theme only."""
        return {self.hidden: "hide", self.lead: "theme", self.lead_too: "theme"}


PRIVATE_CHECKIN_NOTES = "Updating my CV on Sunday evenings"
TALKING_POINTS = "Ask about the platform migration budget"
SHOWN_NOTE = "The Tuesday sync ran two hours"
SECRET_NOTES = [
    "Bypasses my lead on every decision",  # the private trigger's note
    "Compared payslips at the offsite",  # the hidden trigger's note
    "Town hall spin about the reorg",  # a theme-only trigger's note
    "OKR theatre all quarter",  # the other theme-only trigger's note
]


def secrets(history: History) -> list[str]:
    titles = [history.private.title, history.hidden.title, history.lead.title, history.lead_too.title]
    return [*titles, *SECRET_NOTES, PRIVATE_CHECKIN_NOTES]


def rate(checkin, levels: dict, notes: dict | None = None) -> None:
    for trigger, level in levels.items():
        Rating.objects.create(
            checkin=checkin, trigger=trigger, level=level, note=(notes or {}).get(trigger, "")
        )


@pytest.fixture
def history(owner) -> History:
    return make_history(owner)


def make_history(owner) -> History:
    """Three months of check-ins rating six triggers, every one with a note."""
    h = History(
        user=owner,
        shown=make_trigger(owner, "Meetings swallow every afternoon", theme="Team"),
        shown_too=make_trigger(owner, "Café roadmap keeps slipping", theme="Role"),
        private=make_trigger(owner, "Quietly distrusts the new manager", theme="Manager", private=True),
        hidden=make_trigger(owner, "Salary envy of the platform team", theme="Pay"),
        lead=make_trigger(owner, "Leadership ignores the stated values", theme="Leadership"),
        lead_too=make_trigger(owner, "Gamified KPIs everywhere", theme="Leadership"),
    )
    notes = {h.shown: SHOWN_NOTE, h.private: SECRET_NOTES[0], h.hidden: SECRET_NOTES[1]}
    notes |= {h.lead: SECRET_NOTES[2], h.lead_too: SECRET_NOTES[3]}
    levels = {
        2: {h.shown: 3, h.shown_too: 1, h.private: 3, h.hidden: 2, h.lead: 2, h.lead_too: 3},
        1: {h.shown: 2, h.shown_too: 2, h.private: 2, h.hidden: 3, h.lead: 3, h.lead_too: 0},
        0: {h.shown: 3, h.shown_too: 0, h.private: 3, h.hidden: 3, h.lead: 2, h.lead_too: 2},
    }
    for months, rated in levels.items():
        checkin = make_checkin(
            owner,
            ago(months),
            wellbeing=4,
            satisfaction=3,
            energy=2,
            hours=45,
            notes=PRIVATE_CHECKIN_NOTES,
            talking_points=TALKING_POINTS,
        )
        rate(checkin, rated, notes)
    return h


def everything_on(history: History, **visibility) -> dict:
    return form_data(history.user, ago(2), ago(0), history.choices | visibility, notes=True)


# Who may export --------------------------------------------------------------------


def test_the_export_page_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("export"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("fmt", ["markdown", "print", "csv"])
def test_an_anonymous_download_is_sent_to_log_in_and_gets_no_data(client, history, fmt):
    response = client.post(reverse("export_download", args=[fmt]), everything_on(history))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert history.shown.title not in response.content.decode()


def test_the_owner_sees_the_export_page_with_every_trigger_to_choose_for(owner_client, history):
    response = owner_client.get(reverse("export"))
    assert response.status_code == 200
    page = unescape(response.text)
    assert "Export for your 1:1" in page
    for trigger in Trigger.objects.filter(user=history.user):
        assert trigger.title in page
    for label in ("Show", "Theme only", "Hide", "Download Markdown", "Printable page", "Download CSV"):
        assert label in page


@pytest.mark.parametrize("fmt", FORMATS)
def test_another_users_data_never_appears_in_any_format(other_client, other, history, fmt):
    """The other user's export of the same months holds only their own check-in."""
    mine = make_trigger(other, "Parking lot politics", theme="Office")
    make_checkin(other, ago(1), {mine: 3}, talking_points="Ask about parking", wellbeing=1)
    data = form_data(other, ago(2), ago(0), notes=True)
    text = exported(other_client, fmt, data)
    assert mine.title in text
    for trigger in Trigger.objects.filter(user=history.user):
        assert trigger.title not in text
    for words in [*SECRET_NOTES, SHOWN_NOTE, PRIVATE_CHECKIN_NOTES, TALKING_POINTS, "Leadership"]:
        assert words not in text


def test_another_users_ratings_do_not_count_in_the_owners_summary(owner_client, other, history):
    other_triggers = list(other.triggers.all()[:5])
    make_checkin(other, ago(0), dict.fromkeys(other_triggers, 3))
    text = exported(owner_client, "markdown", everything_on(history))
    # This month the shown "Meetings" (Strong) and both theme-only Leadership triggers
    # (Clear) turn up: three; the other user's five strong ratings add nothing.
    assert "Triggers turning up together in the latest check-in: **3**" in text
    for trigger in other_triggers:
        assert trigger.title not in text


def test_a_choice_naming_another_users_trigger_reveals_and_saves_nothing_of_it(owner_client, other, history):
    add_default_checklist(other)
    theirs = other.triggers.first()
    make_checkin(other, ago(0), {theirs: 3})
    data = everything_on(history) | {f"t_{theirs.pk}": "show"}
    for response in (
        owner_client.get(reverse("export"), data),
        owner_client.get(reverse("export"), data, **HTMX),
        owner_client.post(reverse("export_download", args=["markdown"]), data),
    ):
        assert response.status_code == 200  # the unknown choice is ignored
        assert theirs.title not in unescape(response.content.decode())
    assert str(theirs.pk) not in saved(history.user)["visibility"]


# The default period and the remembered choices ---------------------------------


def test_the_default_period_is_the_last_three_months_that_have_check_ins(owner_client, owner, other):
    for months in (1, 4, 6, 7):
        make_checkin(owner, ago(months), talking_points=f"Point from {ym(ago(months))}")
    make_checkin(other, ago(0))  # someone else's newer check-in changes nothing
    response = owner_client.get(reverse("export"))
    assert response.status_code == 200
    assert month_value(response.text, "start") == ym(ago(6))
    assert month_value(response.text, "end") == ym(ago(1))
    preview = preview_section(response.text)
    assert f"# Career check-in: {ago(6):%B %Y} – {ago(1):%B %Y}" in preview
    for months in (1, 4, 6):
        assert f"Point from {ym(ago(months))}" in preview
    assert f"Point from {ym(ago(7))}" not in preview


def test_without_any_check_in_the_period_is_this_month(owner_client):
    response = owner_client.get(reverse("export"))
    assert response.status_code == 200
    assert month_value(response.text, "start") == month_value(response.text, "end") == ym(this_month())
    assert "No check-ins in this period." in preview_section(response.text)


def test_private_triggers_start_on_hide_and_the_others_on_show(owner_client, owner):
    add_default_checklist(owner)
    triggers = list(Trigger.objects.filter(user=owner))
    assert any(t.private for t in triggers) and not all(t.private for t in triggers)
    radios = checked_radios(owner_client.get(reverse("export")).text)
    assert radios == {t.pk: "hide" if t.private else "show" for t in triggers}


def test_a_private_trigger_stays_out_of_the_first_preview_until_shown(owner_client, history):
    response = owner_client.get(reverse("export"))
    preview = preview_section(response.text)
    assert history.shown.title in preview
    assert history.private.title not in preview
    assert SECRET_NOTES[0] not in preview


def test_the_includes_start_with_talking_points_and_scores_on_and_notes_off(owner_client, history):
    page = owner_client.get(reverse("export")).text
    assert checkbox_on(page, "talking_points")
    assert checkbox_on(page, "scores")
    assert not checkbox_on(page, "notes")


@pytest.mark.parametrize("fmt", ["markdown", "print", "csv"])
def test_a_download_remembers_the_choices_and_the_next_export_starts_from_them(owner_client, history, fmt):
    h = history
    choices = {h.shown: "hide", h.private: "show", h.hidden: "hide", h.lead: "theme", h.lead_too: "theme"}
    data = form_data(h.user, ago(1), ago(0), choices, talking_points=False, notes=True, scores=False)
    response = owner_client.post(reverse("export_download", args=[fmt]), data)
    assert response.status_code == 200

    page = owner_client.get(reverse("export")).text
    expected = {t.pk: "show" for t in Trigger.objects.filter(user=h.user)}
    expected |= {trigger.pk: value for trigger, value in choices.items()}
    assert checked_radios(page) == expected
    assert not checkbox_on(page, "talking_points")
    assert not checkbox_on(page, "scores")
    assert checkbox_on(page, "notes")
    # The period isn't remembered: next month's export starts on the latest months again.
    assert month_value(page, "start") == ym(ago(2))
    assert month_value(page, "end") == ym(ago(0))
    preview = preview_section(page)
    assert h.private.title in preview
    assert h.shown.title not in preview
    assert TALKING_POINTS not in preview
    assert "Wellbeing" not in preview


def test_a_trigger_added_after_the_choices_were_saved_starts_on_its_default(owner_client, history):
    data = form_data(history.user, ago(2), ago(0), history.choices)
    assert owner_client.post(reverse("export_download", args=["markdown"]), data).status_code == 200
    secret = make_trigger(history.user, "Brand new private worry", private=True)
    plain = make_trigger(history.user, "Brand new plain worry")
    radios = checked_radios(owner_client.get(reverse("export")).text)
    assert radios[secret.pk] == "hide"
    assert radios[plain.pk] == "show"
    assert radios[history.lead.pk] == "theme"


def test_the_export_history_command_uses_the_saved_choices(owner_client, history):
    data = form_data(history.user, ago(2), ago(0), history.choices | {history.shown: "hide"})
    assert owner_client.post(reverse("export_download", args=["csv"]), data).status_code == 200
    out = io.StringIO()
    call_command("export_history", history.user.username, "--format", "md", stdout=out)
    text = out.getvalue()
    assert history.shown_too.title in text
    assert history.shown.title not in text
    assert "Leadership trigger" in text
    for words in secrets(history):
        assert words not in text


# Marking a trigger private --------------------------------------------------------


def toggle_private(client, trigger) -> None:
    response = client.post(reverse("trigger_action", args=[trigger.pk, "private"]))
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("choice", ["show", "theme"])
def test_marking_a_trigger_private_resets_its_remembered_choice_to_hide(owner_client, history, choice):
    h = history
    choices = {h.shown: choice, h.lead: "theme", h.lead_too: "theme"}
    if choice == "theme":
        h.shown.theme = "Leadership"  # three on Theme only, so the count needs no other
        h.shown.save()
    data = form_data(h.user, ago(2), ago(0), choices, notes=True)
    assert owner_client.post(reverse("export_download", args=["markdown"]), data).status_code == 200
    assert saved(h.user)["visibility"][str(h.shown.pk)] == choice

    toggle_private(owner_client, h.shown)

    h.shown.refresh_from_db()
    assert h.shown.private
    page = owner_client.get(reverse("export")).text
    assert checked_radios(page)[h.shown.pk] == "hide"
    assert checked_radios(page)[h.lead.pk] == "theme"  # the other choices stay as they were
    assert h.shown.title not in preview_section(page)
    assert SHOWN_NOTE not in preview_section(page)
    for fmt in ("md", "csv"):
        for flags in ([], ["--include-private"]):
            text = command(h.user.username, "--format", fmt, *flags)
            assert h.shown.title not in text
            assert SHOWN_NOTE not in text


def test_a_private_trigger_shown_on_purpose_is_hidden_again_when_marked_private_again(owner_client, history):
    h = history
    data = form_data(h.user, ago(2), ago(0), {h.private: "show"})
    assert owner_client.post(reverse("export_download", args=["markdown"]), data).status_code == 200
    assert h.private.title in preview_section(owner_client.get(reverse("export")).text)

    toggle_private(owner_client, h.private)  # shareable: the choice to show it stays
    assert checked_radios(owner_client.get(reverse("export")).text)[h.private.pk] == "show"
    toggle_private(owner_client, h.private)  # private again: hidden again

    page = owner_client.get(reverse("export")).text
    assert checked_radios(page)[h.private.pk] == "hide"
    assert h.private.title not in preview_section(page)


def test_making_a_private_trigger_shareable_keeps_the_hide_it_was_exported_with(owner_client, history):
    data = form_data(history.user, ago(2), ago(0))  # the private one on its default, Hide
    assert owner_client.post(reverse("export_download", args=["markdown"]), data).status_code == 200
    toggle_private(owner_client, history.private)
    history.private.refresh_from_db()
    assert not history.private.private
    page = owner_client.get(reverse("export")).text
    assert checked_radios(page)[history.private.pk] == "hide"
    assert history.private.title not in preview_section(page)


def test_marking_private_touches_no_other_users_choices(owner_client, history, other, other_client):
    add_default_checklist(other)
    theirs = other.triggers.filter(private=False).first()
    make_checkin(other, ago(0), {theirs: 3})
    data = form_data(other, ago(0), ago(0), {theirs: "show"})
    assert other_client.post(reverse("export_download", args=["markdown"]), data).status_code == 200
    before = saved(other)
    toggle_private(owner_client, history.shown)
    assert saved(other) == before
    response = owner_client.post(reverse("trigger_action", args=[theirs.pk, "private"]))
    assert response.status_code == 404
    assert saved(other) == before


def test_upgrading_forgets_the_remembered_choices_of_triggers_already_private(history):
    """Choices saved before this rule existed: the migration hides every private trigger."""
    h = history
    visibility = {str(h.private.pk): "show", str(h.shown.pk): "show", str(h.lead.pk): "theme"}
    user_settings = UserSettings.of(h.user)
    user_settings.export_choices = {"visibility": visibility, "notes": True}
    user_settings.save()
    migration = importlib.import_module("assessments.migrations.0007_private_triggers_hidden_in_exports")
    migration.hide_private_triggers(django_apps, None)
    assert saved(h.user) == {"visibility": {str(h.shown.pk): "show", str(h.lead.pk): "theme"}, "notes": True}


# Redaction ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_private_hidden_and_theme_only_titles_and_their_notes_never_appear(owner_client, history, fmt):
    text = exported(owner_client, fmt, everything_on(history))
    assert history.shown.title in text
    assert history.shown_too.title in text
    assert SHOWN_NOTE in text
    assert TALKING_POINTS in text
    for words in secrets(history):
        assert words not in text, words


@pytest.mark.parametrize("fmt", ["preview", "htmx preview", "markdown"])
def test_theme_only_says_how_many_triggers_of_the_theme_turn_up(owner_client, history, fmt):
    text = exported(owner_client, fmt, everything_on(history))
    assert "- 2 Leadership triggers turning up" in text  # this month and two months ago
    assert "- 1 Leadership trigger turning up" in text  # last month
    assert text.count("Leadership triggers turning up") == 2


@pytest.mark.parametrize("fmt", ["preview", "print"])
def test_the_handout_counts_theme_only_triggers_in_a_row_of_their_theme(owner_client, history, fmt):
    rows = heat_rows(exported(owner_client, fmt, everything_on(history)))
    assert rows["Leadership (theme only)"] == ["2", "1", "2"]  # oldest month first
    assert "theme only" not in " ".join(label for label in rows if label != "Leadership (theme only)")


def test_the_csv_gives_a_theme_its_count_and_no_level_or_note(owner_client, history):
    rows = csv_rows(exported(owner_client, "csv", everything_on(history)))
    themed = {row[0]: row[2:6] for row in rows if row[1] == "Leadership (theme only)"}
    # One row a month for the theme, not one per trigger: no level, no note, the count.
    assert themed == {
        ym(ago(2)): ["", "", "", "2"],
        ym(ago(1)): ["", "", "", "1"],
        ym(ago(0)): ["", "", "", "2"],
    }
    assert all(row[5] == "" for row in rows[1:] if row[1] != "Leadership (theme only)")


@pytest.mark.parametrize("fmt", FORMATS)
def test_private_notes_never_appear_even_with_everything_shown(owner_client, history, fmt):
    every_trigger_shown = dict.fromkeys(Trigger.objects.filter(user=history.user), "show")
    data = form_data(history.user, ago(2), ago(0), every_trigger_shown, notes=True)
    text = exported(owner_client, fmt, data)
    assert history.private.title in text  # shown on purpose this time
    assert SECRET_NOTES[0] in text  # and so is its per-trigger note
    assert PRIVATE_CHECKIN_NOTES not in text


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("notes", [True, False])
def test_per_trigger_notes_appear_only_when_notes_are_included(owner_client, history, fmt, notes):
    data = form_data(history.user, ago(2), ago(0), history.choices, notes=notes)
    text = exported(owner_client, fmt, data)
    assert history.shown.title in text
    assert (SHOWN_NOTE in text) is notes


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("talking_points", [True, False])
def test_talking_points_appear_only_when_included(owner_client, history, fmt, talking_points):
    data = form_data(history.user, ago(2), ago(0), history.choices, talking_points=talking_points)
    text = exported(owner_client, fmt, data)
    assert history.shown.title in text
    assert (TALKING_POINTS in text) is talking_points


@pytest.mark.parametrize("fmt", ["preview", "htmx preview", "markdown"])
@pytest.mark.parametrize("scores", [True, False])
def test_wellbeing_satisfaction_and_energy_appear_only_when_included(owner_client, history, fmt, scores):
    data = form_data(history.user, ago(2), ago(0), history.choices, scores=scores)
    text = exported(owner_client, fmt, data)
    assert history.shown.title in text
    assert ("Wellbeing 4/5 · Job satisfaction 3/5 · Energy 2/5" in text) is scores


@pytest.mark.parametrize("fmt", ["preview", "print"])
@pytest.mark.parametrize("scores", [True, False])
def test_the_handout_has_a_row_for_each_score_only_when_included(owner_client, history, fmt, scores):
    data = form_data(history.user, ago(2), ago(0), history.choices, scores=scores)
    rows = heat_rows(exported(owner_client, fmt, data))
    expected = {
        "Wellbeing": ["4"] * 3,
        "Job satisfaction": ["3"] * 3,
        "Energy": ["2"] * 3,
        "Weekly hours": ["45"] * 3,
    }
    assert {label: rows[label] for label in expected if label in rows} == (expected if scores else {})


def test_the_csv_has_score_and_talking_point_columns_only_when_included(owner_client, history):
    with_all = csv_rows(exported(owner_client, "csv", everything_on(history)))
    assert with_all[0] == CSV_HEADER
    data = form_data(history.user, ago(2), ago(0), history.choices, talking_points=False, scores=False)
    without = csv_rows(exported(owner_client, "csv", data))
    assert without[0] == ["month", "trigger", "level", "level_name", "note", "theme_triggers_turning_up"]
    assert all(len(row) == 6 for row in without)
    flat = "\n".join(",".join(row) for row in without)
    assert TALKING_POINTS not in flat
    assert "45" not in flat


# Theme only: how many, never which or how strongly ----------------------------------

LACK_OF_TRUST = "Lack of trust in the managerial relationship"  # private, alone in "Manager"


def rated_default_checklist(owner) -> dict[str, Trigger]:
    """The default checklist rated over three months, every Culture trigger at a level of
    its own, so a level in any format would give one away."""
    add_default_checklist(owner)
    triggers = {t.title: t for t in Trigger.objects.filter(user=owner)}
    culture = [t for t in triggers.values() if t.theme == "Culture"]
    assert len(culture) == 3 and triggers[LACK_OF_TRUST].private
    for months, culture_levels in {2: (3, 0, 1), 1: (3, 2, 0), 0: (3, 2, 2)}.items():
        levels = dict.fromkeys(triggers.values(), 1) | dict(zip(culture, culture_levels, strict=True))
        levels[triggers[LACK_OF_TRUST]] = 3
        make_checkin(owner, ago(months), levels, wellbeing=3, hours=38, talking_points=TALKING_POINTS)
    return triggers


def culture(triggers, choice: str = "theme") -> dict:
    return {t: choice for t in triggers.values() if t.theme == "Culture"}


def refused(client, user, data) -> str:
    """The preview's refusal: a 400 page, a 422 fragment, and a 400 for every download,
    which saves nothing."""
    before = saved(user)
    response = client.get(reverse("export"), data)
    assert response.status_code == 400
    fragment = client.get(reverse("export"), data, **HTMX)
    assert fragment.status_code == 422
    assert preview_section(fragment.text) == preview_section(response.text)
    for fmt in ("markdown", "print", "csv"):
        download = client.post(reverse("export_download", args=[fmt]), data)
        assert download.status_code == 400
        assert "Content-Disposition" not in download
        assert preview_section(download.text) == preview_section(response.text)
    assert saved(user) == before
    preview = preview_section(response.text)
    assert FIX_THE_CHOICES in preview
    return preview


def test_theme_only_on_a_trigger_alone_in_its_theme_is_refused_without_naming_it(owner_client, owner):
    triggers = rated_default_checklist(owner)
    data = form_data(owner, ago(2), ago(0), {triggers[LACK_OF_TRUST]: "theme"})
    preview = refused(owner_client, owner, data)
    assert "only one “Manager” trigger is on Theme only" in preview
    assert "Choose Show or Hide for it, or put another “Manager” trigger on Theme only." in preview
    assert LACK_OF_TRUST not in preview
    assert "Strong" not in preview


@pytest.mark.parametrize("theme", ["Team", "Ethics"])
def test_theme_only_is_refused_for_every_lone_theme_of_the_default_checklist(owner_client, owner, theme):
    triggers = rated_default_checklist(owner)
    (lone,) = [t for t in triggers.values() if t.theme == theme]
    preview = refused(owner_client, owner, form_data(owner, ago(2), ago(0), {lone: "theme"}))
    assert f"only one “{theme}” trigger is on Theme only" in preview


def test_a_shown_trigger_of_the_theme_does_not_make_a_lone_theme_only_one_safe(owner_client, owner):
    """Leadership has two triggers: one shown by title, the other's count would be its own."""
    triggers = rated_default_checklist(owner)
    first, second = (t for t in triggers.values() if t.theme == "Leadership")
    preview = refused(owner_client, owner, form_data(owner, ago(2), ago(0), {first: "show", second: "theme"}))
    assert "only one “Leadership” trigger is on Theme only" in preview
    assert first.title not in preview and second.title not in preview


def test_two_theme_only_triggers_of_a_theme_are_shared_as_a_count(owner_client, owner):
    triggers = rated_default_checklist(owner)
    leadership = {t: "theme" for t in triggers.values() if t.theme == "Leadership"}
    Rating.objects.filter(trigger=next(iter(leadership)), checkin__month=ago(0)).update(level=2)
    page = owner_client.get(reverse("export"), form_data(owner, ago(2), ago(0), leadership)).text
    text = unescape(handout(page))
    assert text.count("Leadership") == 2
    assert "; Leadership: 1 trigger turning up; " in text  # new: nothing before the period
    assert heat_rows(page)["Leadership (theme only)"] == ["", "", "1"]
    markdown = exported(owner_client, "markdown", form_data(owner, ago(2), ago(0), leadership))
    assert markdown.count("Leadership") == 2
    assert "- 1 Leadership trigger turning up\n" in markdown.split(f"## {ago(0):%B %Y}")[1]
    for trigger in leadership:
        assert trigger.title not in text + markdown


def test_every_lone_theme_is_named_in_one_refusal(owner_client, owner):
    triggers = rated_default_checklist(owner)
    lone = {t: "theme" for t in triggers.values() if t.theme in ("Manager", "Team", "Ethics")}
    preview = refused(owner_client, owner, form_data(owner, ago(2), ago(0), lone))
    for theme in ("Ethics", "Manager", "Team"):
        assert f"only one “{theme}” trigger is on Theme only" in preview


def test_fixing_a_refused_theme_only_choice_brings_the_preview_back(owner_client, owner):
    triggers = rated_default_checklist(owner)
    data = form_data(owner, ago(2), ago(0), {triggers[LACK_OF_TRUST]: "theme"})
    refused(owner_client, owner, data)
    data[f"t_{triggers[LACK_OF_TRUST].pk}"] = "hide"
    response = owner_client.get(reverse("export"), data, **HTMX)
    assert response.status_code == 200
    assert FIX_THE_CHOICES not in response.text
    assert "## Summary" in preview_section(response.text)


def test_a_month_rating_only_one_theme_only_trigger_of_a_theme_is_refused(owner_client, owner, history):
    """Both Leadership triggers are on Theme only, but last month only one was rated."""
    Rating.objects.filter(trigger=history.lead_too, checkin__month=ago(1)).delete()
    preview = refused(owner_client, history.user, everything_on(history))
    assert f"in {ago(1):%B %Y} only one “Leadership” trigger on Theme only was rated" in preview
    assert history.lead.title not in preview


def test_a_lone_month_before_the_period_leaves_the_theme_out_of_what_changed(owner_client, owner, changes):
    """The previous period isn't shown, so it isn't refused; but "up from 1" would name the
    one trigger rated there."""
    Rating.objects.filter(trigger=changes["themed"], checkin__month__lt=ago(2)).delete()
    text = exported(owner_client, "markdown", form_data(owner, ago(2), ago(0), leadership(changes, "theme")))
    assert "- 2 Leadership triggers turning up" in text
    assert "Leadership:" not in text.split("\n## ")[1]


def test_theme_only_is_refused_by_the_command_without_naming_the_trigger(owner_client, owner):
    triggers = rated_default_checklist(owner)
    user_settings = UserSettings.of(owner)
    user_settings.export_choices = {"visibility": {str(triggers[LACK_OF_TRUST].pk): "theme"}}
    user_settings.save()
    with pytest.raises(CommandError, match="only one “Manager” trigger is on Theme only") as error:
        command(owner.username, "--format", "md", "--include-private")
    assert LACK_OF_TRUST not in str(error.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_theme_only_shares_a_count_and_no_level_in_any_format(owner_client, owner, fmt):
    """The three Culture triggers on Theme only: Strong/Not present/Faint, then Strong/Clear/
    Not present, then Strong/Clear/Clear. Every other shared trigger is Faint."""
    triggers = rated_default_checklist(owner)
    text = exported(owner_client, fmt, form_data(owner, ago(2), ago(0), culture(triggers), notes=True))
    text = without_key(text)
    for level in ("Strong", "Clear", "Not present"):
        assert level not in text
    for title in (t.title for t in triggers.values() if t.theme == "Culture"):
        assert title not in text
    assert "a Culture trigger" not in text
    assert "Faint" in text
    if fmt == "csv":
        rows = [row for row in csv_rows(text) if row[1] == "Culture (theme only)"]
        assert [row[:6] for row in rows] == [
            [ym(ago(2)), "Culture (theme only)", "", "", "", "1"],
            [ym(ago(1)), "Culture (theme only)", "", "", "", "2"],
            [ym(ago(0)), "Culture (theme only)", "", "", "", "3"],
        ]
    elif fmt == "print":
        assert heat_rows(text)["Culture (theme only)"] == ["1", "2", "3"]
        assert {cell for row in heat_rows(text).values() for cell in row} <= {"F", "1", "2", "3", "38", ""}
    else:
        for count in ("1 Culture trigger", "2 Culture triggers", "3 Culture triggers"):
            assert f"- {count} turning up\n" in text


def test_the_handouts_table_has_no_row_and_no_level_for_theme_only_triggers(owner_client, owner):
    triggers = rated_default_checklist(owner)
    rows = heat_rows(exported(owner_client, "print", form_data(owner, ago(2), ago(0), culture(triggers))))
    culture_titles = {t.title for t in triggers.values() if t.theme == "Culture"}
    assert not culture_titles & set(rows)
    levels = [cells for label, cells in rows.items() if label in {t.title for t in triggers.values()}]
    assert len(levels) == 7  # the shown ones: all but the private one and the three Culture ones
    assert {cell for cells in levels for cell in cells} == {"F"}  # all Faint


def test_a_handout_with_only_theme_counts_has_no_trigger_rows(owner_client, owner):
    triggers = rated_default_checklist(owner)
    hidden = dict.fromkeys(triggers.values(), "hide")
    data = form_data(owner, ago(2), ago(0), hidden | culture(triggers), scores=False)
    text = exported(owner_client, "print", data)
    assert heat_rows(text) == {"Culture (theme only)": ["1", "2", "3"]}
    assert "Not present" not in text  # no key for levels that aren't there
    assert "Theme only: how many of the theme’s triggers turn up." in unescape(text)


def test_what_changed_for_theme_only_triggers_speaks_of_the_themes_count(owner_client, owner, changes):
    Rating.objects.filter(trigger=changes["themed_too"], checkin__month=ago(5)).update(level=1)
    data = form_data(owner, ago(2), ago(0), leadership(changes, "theme"))
    text = exported(owner_client, "markdown", data)
    # Before: none turned up; since: both did.
    assert "- New: Leadership: 2 triggers turning up; Newly turning up\n" in text
    Rating.objects.filter(trigger=changes["themed"], checkin__month__gte=ago(2)).update(level=0)
    Rating.objects.filter(trigger=changes["themed_too"], checkin__month__gte=ago(2)).update(level=0)
    Rating.objects.filter(trigger__in=leadership(changes, ""), checkin__month=ago(4)).update(level=3)
    text = exported(owner_client, "markdown", data)
    assert "- Resolved: Gone away; Leadership: no triggers turning up, down from 2\n" in text
    Rating.objects.filter(trigger=changes["themed"], checkin__month=ago(0)).update(level=2)
    text = exported(owner_client, "print", data)
    assert (
        "<li><strong>Better:</strong> Getting better; Leadership: 1 trigger turning up, down from 2</li>"
        in text
    )
    for title in (changes["themed"].title, changes["themed_too"].title):
        assert title not in text


# Weekly hours ------------------------------------------------------------------------


def test_the_scores_choice_names_the_weekly_hours_it_shares(owner_client, history):
    page = unescape(owner_client.get(reverse("export")).text)
    assert "Wellbeing, satisfaction, energy and weekly hours" in page


@pytest.mark.parametrize("scores", [True, False])
def test_weekly_hours_are_in_the_preview_exactly_when_another_format_has_them(owner_client, history, scores):
    data = form_data(history.user, ago(2), ago(0), history.choices, scores=scores)
    line = "Wellbeing 4/5 · Job satisfaction 3/5 · Energy 2/5 · 45 hours a week"
    for fmt in ("preview", "htmx preview", "markdown"):
        text = exported(owner_client, fmt, data)
        assert (line in text) is scores
        assert ("hours" in text) is scores
    printed = exported(owner_client, "print", data)
    assert ("hours" in printed) is scores
    assert heat_rows(printed).get("Weekly hours") == (["45"] * 3 if scores else None)
    header, *rows = csv_rows(exported(owner_client, "csv", data))
    assert ("weekly_hours" in header) is scores
    assert ("45" in {cell for row in rows for cell in row}) is scores
    if scores:
        assert {row[header.index("weekly_hours")] for row in rows} == {"45"}


def test_a_check_in_without_hours_shares_no_hours(owner_client, history):
    CheckIn.objects.filter(user=history.user, month=ago(0)).update(hours=None)
    text = exported(owner_client, "markdown", everything_on(history))
    assert text.count("45 hours a week") == 2
    assert "Energy 2/5\n" in text.split("## ")[2]  # this month's, first after the summary


# Markdown: people's words stay words -----------------------------------------------

HOSTILE_MARKDOWN = [
    "<img src=x onerror=alert(1)>",
    "[link](http://evil.example)",
    "![x](http://evil.example/x.png)",
    "# heading",
    "| a | b |\n|---|---|\n| c | d |",
    "`code` and ``more``",
    "*em* _em_ **strong** ~~gone~~",
    "<http://evil.example>",
    "[ref]: http://evil.example",
    "line one\n# heading\n- item\n1. first\n> quote\n    code\n---",
    "&amp; &#60; a backslash \\ at the end \\",
]


def render_markdown(text: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)


def words_of(html: str) -> list[str]:
    return visible_text(html).split()


@pytest.mark.parametrize("hostile", HOSTILE_MARKDOWN)
def test_hostile_words_on_a_markdown_line_render_as_the_same_words_and_no_markup(hostile):
    html = render_markdown(f"- Title: **Strong** — {exports.markdown_inline(hostile)}\n")
    assert re.findall(r"<(\w+)", html) == ["ul", "li", "strong"]
    assert words_of(html) == ["Title:", "Strong", "—", *hostile.split()]


@pytest.mark.parametrize("hostile", HOSTILE_MARKDOWN)
def test_hostile_talking_points_render_as_the_same_lines_and_no_markup(hostile):
    html = render_markdown(exports.markdown_block(hostile))
    assert set(re.findall(r"<(\w+)", html)) <= {"p", "br"}
    lines = [words_of(part) for part in re.split(r"<br />|</p>", html)]
    assert [line for line in lines if line] == [line.split() for line in hostile.splitlines() if line.split()]


@pytest.fixture
def hostile_history(owner):
    shown = make_trigger(owner, "# Title with [a link](http://evil.example)", theme="Team")
    themed = [make_trigger(owner, f"Themed {n}", theme="<b>Pay</b> | `x`") for n in (1, 2)]
    checkin = make_checkin(
        owner, ago(0), talking_points="\n".join(HOSTILE_MARKDOWN), notes="<img src=x onerror=alert(1)>"
    )
    rate(checkin, {shown: 3, themed[0]: 2, themed[1]: 3}, {shown: HOSTILE_MARKDOWN[-2]})
    return {shown: "show", themed[0]: "theme", themed[1]: "theme"}


def test_the_markdown_export_renders_hostile_words_as_text_and_nothing_else(
    owner_client, owner, hostile_history
):
    data = form_data(owner, ago(0), ago(0), hostile_history, notes=True)
    html = render_markdown(exported(owner_client, "markdown", data))
    # The title, "Summary" and the month; two lists; bold levels and counts; nothing else.
    assert sorted(set(re.findall(r"<(\w+)", html))) == ["br", "h1", "h2", "li", "p", "strong", "ul"]
    assert html.count("<h1>") == 1 and html.count("<h2>") == 2
    text = unescape(html)
    title = "# Title with [a link](http://evil.example)"
    assert f"<li>New: {title}; <b>Pay</b> | `x`: 2 triggers turning up</li>" in text
    assert f"<li>{title}: <strong>Strong</strong> — line one # heading - item 1. first" in text
    assert "<li>2 <b>Pay</b> | `x` triggers turning up</li>" in text
    assert "<p>&lt;img src=x onerror=alert(1)&gt;<br />\n[link](http://evil.example)<br />" in html


@pytest.mark.parametrize("months", [1, 24])
def test_building_an_export_takes_the_same_few_queries_however_long_the_period(
    owner, django_assert_num_queries, months
):
    add_default_checklist(owner)
    triggers = list(Trigger.objects.filter(user=owner))
    for n in range(months * 2):  # the period and the one before it
        make_checkin(owner, ago(n), dict.fromkeys(triggers, n % 4))
    choices = {"start": ago(months - 1), "end": ago(0), "talking_points": True, "notes": True, "scores": True}
    choices["visibility"] = {str(t.pk): "theme" if t.theme == "Culture" else "show" for t in triggers}
    with django_assert_num_queries(4):  # settings, triggers, check-ins, ratings
        export = exports.build(owner, choices)
    assert len(export.months) == months


# The summary ---------------------------------------------------------------------------


@pytest.fixture
def changes(owner):
    """Six months: three before the period, three in it, each trigger telling a story."""
    new = make_trigger(owner, "Newly turning up")
    worse = make_trigger(owner, "Getting worse")
    better = make_trigger(owner, "Getting better")
    resolved = make_trigger(owner, "Gone away")
    steady = make_trigger(owner, "Steady as she goes")
    themed = make_trigger(owner, "Secret leadership worry", theme="Leadership")
    themed_too = make_trigger(owner, "Another leadership worry", theme="Leadership")
    levels = {  # months ago: {trigger: level}
        5: {new: 0, worse: 2, better: 3, resolved: 3, steady: 2, themed: 0, themed_too: 2},
        4: {new: 1, worse: 2, better: 3, resolved: 2, steady: 2, themed: 1, themed_too: 0},
        3: {new: 1, worse: 2, better: 3, resolved: 3, steady: 2, themed: 0, themed_too: 0},
        2: {new: 2, worse: 3, better: 2, resolved: 1, steady: 2, themed: 3, themed_too: 3},
        1: {new: 3, worse: 3, better: 2, resolved: 0, steady: 2, themed: 2, themed_too: 2},
        0: {new: 3, worse: 3, better: 2, resolved: 0, steady: 2, themed: 0, themed_too: 0},
    }
    for months, rated in levels.items():
        make_checkin(owner, ago(months), rated)
    return {
        "new": new,
        "worse": worse,
        "better": better,
        "resolved": resolved,
        "steady": steady,
        "themed": themed,
        "themed_too": themed_too,
    }


def leadership(changes, choice: str) -> dict:
    return {changes["themed"]: choice, changes["themed_too"]: choice}


def test_the_summary_names_new_worse_better_and_resolved_triggers(owner_client, owner, changes):
    data = form_data(owner, ago(2), ago(0), leadership(changes, "theme"))
    for fmt in ("markdown", "preview"):
        text = exported(owner_client, fmt, data).split("\n## ")[1]  # the summary, not the months
        assert text.startswith("Summary\n")
        assert f"- New: {changes['new'].title}\n" in text
        # One Leadership trigger turned up before (three to five months ago), both since.
        assert f"- Worse: {changes['worse'].title}; Leadership: 2 triggers turning up, up from 1\n" in text
        assert f"- Better: {changes['better'].title}\n" in text
        assert f"- Resolved: {changes['resolved'].title}\n" in text
        assert "- Steady" not in text
        assert changes["themed"].title not in text
        assert changes["themed_too"].title not in text


def test_the_summary_gives_the_together_count_now_and_in_the_previous_period(owner_client, owner, changes):
    text = exported(owner_client, "markdown", form_data(owner, ago(2), ago(0)))
    # Now (this month): new, worse, better and steady turn up; then (three months ago,
    # the latest check-in of the previous period): worse, better, resolved and steady.
    assert (
        "- Triggers turning up together in the latest check-in: **4** "
        f"(previous period, {ago(5):%b %Y} – {ago(3):%b %Y}: 4)"
    ) in text
    hidden_then = form_data(owner, ago(2), ago(0), {changes["resolved"]: "hide"})
    text = exported(owner_client, "markdown", hidden_then)
    assert f"**4** (previous period, {ago(5):%b %Y} – {ago(3):%b %Y}: 3)" in text


def test_the_printable_page_gives_the_same_summary(owner_client, owner, changes):
    text = exported(owner_client, "print", form_data(owner, ago(2), ago(0), leadership(changes, "hide")))
    assert "in the latest check-in: <strong>4</strong> (previous period" in text
    assert f"<li><strong>Resolved:</strong> {changes['resolved'].title}</li>" in text
    assert f"<li><strong>New:</strong> {changes['new'].title}</li>" in text


def test_the_previous_period_has_the_same_length_as_the_chosen_one(owner_client, owner, changes):
    # One month chosen: the previous period is the single month before it, where every
    # shown trigger was at the level it is now, so nothing changed in this comparison.
    text = exported(owner_client, "markdown", form_data(owner, ago(0), ago(0), leadership(changes, "hide")))
    assert f"# Career check-in: {ago(0):%B %Y}\n" in text
    assert f"(previous period, {ago(1):%b %Y} – {ago(1):%b %Y}: 4)" in text
    assert "- Resolved" not in text
    assert "- No change in the shared triggers since the previous period." in text


def test_a_period_with_no_check_in_before_it_has_no_previous_count(owner_client, owner, changes):
    text = exported(owner_client, "markdown", form_data(owner, ago(5), ago(3)))
    assert "in the latest check-in: **4**\n" in text
    assert "previous period" not in text
    # With nothing to compare with, whatever turned up in the period is new.
    up = sorted(changes[name].title for name in ("worse", "better", "resolved", "steady", "themed_too"))
    assert f"- New: {'; '.join(up)}\n" in text
    for kind in ("Worse", "Better", "Resolved"):
        assert f"- {kind}:" not in text


# The CSV ----------------------------------------------------------------------------


def test_the_csv_is_a_utf8_attachment_with_a_byte_order_mark(owner_client, history):
    response = owner_client.post(reverse("export_download", args=["csv"]), everything_on(history))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = f"career-check-in-{ym(ago(2))}-to-{ym(ago(0))}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert history.shown_too.title in text  # "Café", as UTF-8
    assert "Café".encode() in response.content


def test_the_csv_has_one_row_per_month_and_shared_trigger(owner_client, history):
    text = exported(owner_client, "csv", everything_on(history))
    header, *rows = csv_rows(text)
    assert header == CSV_HEADER
    assert all(len(row) == len(CSV_HEADER) for row in rows)
    pairs = [(row[0], row[1]) for row in rows]
    assert len(pairs) == 9  # three months × (two shown + their theme-only one)
    for month in (ago(2), ago(1), ago(0)):
        assert (ym(month), history.shown.title) in pairs
        assert (ym(month), history.shown_too.title) in pairs
        assert (ym(month), "Leadership (theme only)") in pairs
    row = next(r for r in rows if r[:2] == [ym(ago(2)), history.shown.title])
    assert row == [
        ym(ago(2)),
        history.shown.title,
        "3",
        "Strong",
        SHOWN_NOTE,
        "",
        "4",
        "3",
        "2",
        "45",
        TALKING_POINTS,
    ]
    row = next(r for r in rows if r[:2] == [ym(ago(0)), history.shown_too.title])
    assert row[2:4] == ["0", "Not present"]


def test_csv_cells_that_a_spreadsheet_would_read_as_formulas_are_neutralised(owner, owner_client):
    formula = make_trigger(owner, '=HYPERLINK("http://evil.example","Click")')
    plain = make_trigger(owner, "Plain = fine in the middle")
    points = {3: "@SUM(A1:A9)", 2: "-2", 1: "\tx", 0: "\rx"}
    for months, text in points.items():
        checkin = make_checkin(owner, ago(months), talking_points=text, wellbeing=3)
        rate(checkin, {formula: 2, plain: 1}, {formula: "+1", plain: "fine"})
    data = form_data(owner, ago(3), ago(0), notes=True)
    header, *rows = csv_rows(exported(owner_client, "csv", data))
    assert len(rows) == 8
    formula_rows = [row for row in rows if row[1].startswith("'=")]
    assert len(formula_rows) == 4
    for row in formula_rows:
        assert row[1] == "'" + formula.title
        assert row[4] == "'+1"
    talking = {row[0]: row[-1] for row in rows}
    assert talking == {ym(ago(m)): "'" + text for m, text in points.items()}
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), row
    assert {row[1] for row in rows} == {"'" + formula.title, plain.title}
    assert {row[4] for row in rows} == {"'+1", "fine"}


# Bad input -------------------------------------------------------------------------------


def bad_period(history: History, case: str) -> tuple[dict, str]:
    data = everything_on(history)
    if case == "start after end":
        return data | {"start": ym(ago(0)), "end": ym(ago(2))}, "The period must start before it ends."
    if case == "end in the future":
        return data | {"end": ym(add_months(this_month(), 1))}, "The period can’t end in the future."
    if case == "month 13":
        return data | {"start": f"{this_month().year}-13"}, "Enter a valid date."
    if case == "not a month":
        return data | {"start": "abc"}, "Enter a valid date."
    if case == "no end":
        return data | {"end": ""}, "This field is required."
    if case == "bogus visibility":
        return data | {f"t_{history.shown.pk}": "bogus"}, ""
    raise AssertionError(case)


BAD = ["start after end", "end in the future", "month 13", "not a month", "no end", "bogus visibility"]
PERIOD_ERRORS = ["start after end", "end in the future"]


@pytest.fixture
def remembered(owner_client, history) -> dict:
    """Choices saved by an earlier download, to show a bad request leaves them alone."""
    data = form_data(history.user, ago(2), ago(0), history.choices, notes=True)
    assert owner_client.post(reverse("export_download", args=["markdown"]), data).status_code == 200
    return saved(history.user)


@pytest.mark.parametrize("case", BAD)
def test_a_bad_preview_is_refused_with_a_message_and_a_400(owner_client, history, remembered, case):
    data, message = bad_period(history, case)
    response = owner_client.get(reverse("export"), data)
    assert response.status_code == 400
    page = unescape(response.text)
    assert FIX_THE_CHOICES in page
    if message:
        assert message in page
    assert history.shown.title not in preview_section(response.text)
    assert saved(history.user) == remembered


@pytest.mark.parametrize("case", BAD)
def test_a_bad_htmx_preview_is_refused_in_place_with_a_422(owner_client, history, remembered, case):
    data, message = bad_period(history, case)
    response = owner_client.get(reverse("export"), data, **HTMX)
    assert response.status_code == 422
    fragment = unescape(response.text)
    assert fragment.lstrip().startswith('<section id="preview"')
    assert FIX_THE_CHOICES in fragment
    if case in PERIOD_ERRORS:
        assert message in fragment
    assert history.shown.title not in fragment
    assert saved(history.user) == remembered


@pytest.mark.parametrize("fmt", ["markdown", "print", "csv"])
@pytest.mark.parametrize("case", BAD)
def test_a_bad_download_is_refused_with_a_message_and_saves_nothing(
    owner_client, history, remembered, fmt, case
):
    data, message = bad_period(history, case)
    response = owner_client.post(reverse("export_download", args=[fmt]), data)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    page = unescape(response.text)
    assert FIX_THE_CHOICES in page
    if message:
        assert message in page
    assert saved(history.user) == remembered


def test_an_unknown_format_is_not_found(owner_client, history):
    response = owner_client.post("/export/pdf/", everything_on(history))
    assert response.status_code == 404


def test_a_download_must_be_posted(owner_client, history):
    response = owner_client.get(reverse("export_download", args=["markdown"]), everything_on(history))
    assert response.status_code == 405


def test_the_markdown_download_is_a_named_attachment(owner_client, history):
    response = owner_client.post(reverse("export_download", args=["markdown"]), everything_on(history))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    name = f"career-check-in-{ym(ago(2))}-to-{ym(ago(0))}.md"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    text = response.content.decode()
    assert text.startswith(f"# Career check-in: {ago(2):%B %Y} – {ago(0):%B %Y}\n")
    assert f"- {history.shown.title}: **Strong** — {SHOWN_NOTE}" in text


def test_the_handouts_table_has_a_row_per_shared_trigger_strongest_first(owner_client, history):
    rows = heat_rows(exported(owner_client, "print", everything_on(history)))
    # "Theme only" triggers are counts, not levels: they have their theme's row instead.
    assert list(rows)[:3] == [history.shown.title, history.shown_too.title, "Leadership (theme only)"]
    assert rows[history.shown.title] == ["S", "C", "S"]
    assert rows[history.shown_too.title] == ["F", "C", "–"]


# The export_history command -------------------------------------------------------


def command(*args) -> str:
    out = io.StringIO()
    call_command("export_history", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_full_backup_as_json(history, other):
    data = json.loads(command(history.user.username))
    expected = backup.dump(history.user)
    assert data["schema"] == "careerapp-backup"
    assert data["version"] == 1
    data.pop("exported"), expected.pop("exported")
    assert data == expected
    assert PRIVATE_CHECKIN_NOTES in json.dumps(data)  # the backup is everything, privately


def test_the_command_writes_the_csv_export_with_private_triggers_hidden(history):
    header, *rows = csv_rows(command(history.user.username, "--format", "csv"))
    assert header == CSV_HEADER
    titles = {row[1] for row in rows}
    assert titles == {
        t.title for t in (history.shown, history.shown_too, history.hidden, history.lead, history.lead_too)
    }
    assert {row[0] for row in rows} == {ym(ago(2)), ym(ago(1)), ym(ago(0))}
    assert history.private.title not in "".join(",".join(row) for row in rows)


def test_the_command_writes_the_markdown_export(history):
    text = command(history.user.username, "--format", "md")
    assert text.startswith(f"# Career check-in: {ago(2):%B %Y} – {ago(0):%B %Y}")
    assert history.shown.title in text
    for words in (history.private.title, SECRET_NOTES[0], PRIVATE_CHECKIN_NOTES, SHOWN_NOTE):
        assert words not in text


def test_the_command_takes_the_period_from_and_to(history):
    header, *rows = csv_rows(
        command(history.user.username, "--format", "csv", "--from", ym(ago(1)), "--to", ym(ago(1)))
    )
    assert {row[0] for row in rows} == {ym(ago(1))}
    text = command(history.user.username, "--format", "md", "--from", ym(ago(2)), "--to", ym(ago(1)))
    assert f"# Career check-in: {ago(2):%B %Y} – {ago(1):%B %Y}" in text
    assert f"## {ago(0):%B %Y}" not in text
    assert f"## {ago(1):%B %Y}" in text


@pytest.mark.parametrize("choice", ["show", "theme"])
def test_the_command_never_shares_a_private_trigger_unless_asked_to(owner_client, history, choice):
    h = history
    h.private.theme = "Leadership"  # on Theme only, it joins the two Leadership ones
    h.private.save()
    data = form_data(h.user, ago(2), ago(0), h.choices | {h.private: choice}, notes=True)
    assert owner_client.post(reverse("export_download", args=["markdown"]), data).status_code == 200
    assert saved(h.user)["visibility"][str(h.private.pk)] == choice
    this_month_line = {"show": f"- {h.private.title}: **Strong**", "theme": "- 3 Leadership triggers"}[choice]

    for fmt in ("md", "csv"):
        text = command(h.user.username, "--format", fmt, "--from", ym(ago(0)), "--to", ym(ago(0)))
        assert h.private.title not in text
        assert SECRET_NOTES[0] not in text
        assert "3 Leadership triggers" not in text  # the two others: 2 this month
        assert "Leadership (theme only),,,,3," not in text
    text = command(
        h.user.username, "--format", "md", "--from", ym(ago(0)), "--to", ym(ago(0)), "--include-private"
    )
    assert this_month_line in text
    assert (SECRET_NOTES[0] in text) is (choice == "show")


def test_the_command_with_include_private_still_hides_what_the_saved_choices_hide(history):
    text = command(history.user.username, "--format", "md", "--include-private")
    assert history.private.title not in text  # never chosen: it starts hidden
    assert history.shown.title in text


def test_the_commands_help_explains_include_private():
    from assessments.management.commands.export_history import Command

    help_text = " ".join(Command().create_parser("manage.py", "export_history").format_help().split())
    assert "--include-private" in help_text
    assert "Private triggers are left out of csv and md whatever was chosen before" in help_text


def test_the_command_refuses_an_unknown_user(history):
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        command("nobody", "--format", "md")


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026-1-1", "26-11"])
@pytest.mark.parametrize("option", ["--from", "--to"])
def test_the_command_refuses_a_bad_month(history, option, month):
    with pytest.raises(CommandError, match="YYYY-MM"):
        command(history.user.username, "--format", "csv", option, month)


def test_the_command_refuses_a_period_that_ends_before_it_starts(history):
    with pytest.raises(CommandError, match="start before it ends"):
        command(history.user.username, "--format", "md", "--from", ym(ago(0)), "--to", ym(ago(2)))


def test_exports_read_check_ins_without_writing_to_them(owner_client, history):
    before = list(CheckIn.objects.values().order_by("pk"))
    for fmt in FORMATS:
        exported(owner_client, fmt, everything_on(history))
    assert list(CheckIn.objects.values().order_by("pk")) == before


def test_a_logged_in_stranger_sees_only_their_own_empty_export(history):
    client = Client()
    client.force_login(make_user("stranger"))
    response = client.get(reverse("export"))
    assert response.status_code == 200
    page = unescape(response.text)
    for words in [*secrets(history), history.shown.title, SHOWN_NOTE, TALKING_POINTS]:
        assert words not in page
    assert "No check-ins in this period." in page
