"""The checklist as a living document: every change to it is kept with its date and shown,
newest first, in its Changes list; the charts learn when it changed and since when each
trigger is on it.

Each change is made as a person makes it (as htmx and as a plain form), on a day the clock
travels to, and the record is read back from the database and from the page.
"""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from assessments import metrics
from assessments.models import MAX_CHANGES, ChangeKind, ChecklistChange, Trigger, this_month

from .factories import make_checkin, make_trigger, make_user
from .helpers import HTMX, FormPost, ago, assert_fragment, client_for, visible_text

pytestmark = pytest.mark.django_db

MARCH = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
APRIL = datetime(2025, 4, 9, 12, 0, tzinfo=UTC)
MAY = datetime(2025, 5, 20, 16, 0, tzinfo=UTC)


@pytest.fixture(params=["htmx", "plain"])
def post(request, owner_client) -> FormPost:
    return FormPost(owner_client, htmx=request.param == "htmx")


def action(trigger: Trigger, name: str) -> str:
    return reverse("trigger_action", args=[trigger.pk, name])


def recorded(user) -> list[tuple[str, str, str, date]]:
    """The account's changes, oldest first: (kind, title, old title, day)."""
    return [
        (c.kind, c.title, c.old_title, c.at.date())
        for c in ChecklistChange.objects.filter(user=user).order_by("at", "id")
    ]


def changes_section(html: str) -> str:
    """The text of the checklist's Changes list, from its heading to the end of the checklist."""
    text = visible_text(html)
    return text[text.index("Changes") :]


# Each kind of change, recorded with its day and wording -----------------------------------


def test_a_new_account_starts_with_its_default_checklist_and_no_changes(owner):
    assert owner.triggers.count() == 11
    assert recorded(owner) == []


def test_adding_a_trigger_records_it_as_added_on_that_day(post, owner, clock):
    clock.move_to(MARCH)
    post.send(reverse("trigger_add"), {"title": "Pay freeze", "theme": "Role & growth"})
    assert recorded(owner) == [("added", "Pay freeze", "", date(2025, 3, 4))]


def test_rewording_records_the_old_and_the_new_title(post, owner, clock):
    clock.move_to(MARCH)
    trigger = make_trigger(owner, "Too many meetings")
    clock.move_to(MAY)
    post.send(reverse("trigger_edit", args=[trigger.pk]), {"title": "Meetings eat every afternoon"})
    assert recorded(owner)[-1] == (
        "reworded",
        "Meetings eat every afternoon",
        "Too many meetings",
        date(2025, 5, 20),
    )


def test_editing_only_the_description_or_theme_is_not_a_rewording(post, owner):
    trigger = make_trigger(owner, "Too many meetings")
    post.send(
        reverse("trigger_edit", args=[trigger.pk]),
        {"title": " Too  many meetings ", "description": "Every afternoon", "theme": "Team"},
    )
    trigger.refresh_from_db()
    assert (trigger.description, trigger.theme) == ("Every afternoon", "Team")
    assert [kind for kind, *_ in recorded(owner)] == ["added"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [("retire", "retired"), ("private", "private")],
)
def test_retiring_and_marking_private_are_recorded_on_that_day(post, owner, clock, name, kind):
    clock.move_to(MARCH)
    trigger = make_trigger(owner, "Too many meetings")
    clock.move_to(MAY)
    post.send(action(trigger, name))
    assert recorded(owner)[-1] == (kind, "Too many meetings", "", date(2025, 5, 20))


def test_restoring_and_making_shareable_again_are_recorded_too(post, owner, clock):
    clock.move_to(MARCH)
    trigger = make_trigger(owner, "Too many meetings", private=True)
    clock.move_to(APRIL)
    trigger.retire()
    clock.move_to(MAY)
    post.send(action(trigger, "restore"))
    post.send(action(trigger, "private"))
    assert recorded(owner) == [
        ("added", "Too many meetings", "", date(2025, 3, 4)),
        ("retired", "Too many meetings", "", date(2025, 4, 9)),
        ("restored", "Too many meetings", "", date(2025, 5, 20)),
        ("shareable", "Too many meetings", "", date(2025, 5, 20)),
    ]


def test_each_change_keeps_the_wording_of_its_day(owner):
    trigger = make_trigger(owner, "First words")
    trigger.retire()
    trigger.reword("Second words")
    assert [(kind, title) for kind, title, *_ in recorded(owner)] == [
        ("added", "First words"),
        ("retired", "First words"),
        ("reworded", "Second words"),
    ]


@pytest.mark.parametrize("name", ["up", "down"])
def test_reordering_is_not_a_change(post, owner, name):
    trigger = owner.triggers.all()[3]
    post.send(action(trigger, name))
    assert recorded(owner) == []


def test_refused_changes_record_nothing(post, owner):
    trigger = make_trigger(owner, "Keep me")
    post.send(reverse("trigger_add"), {"title": " "})
    post.send(reverse("trigger_edit", args=[trigger.pk]), {"title": ""})
    post.send(action(trigger, "restore"))  # it isn't retired
    assert [kind for kind, *_ in recorded(owner)] == ["added"]


def test_deleting_a_never_rated_trigger_takes_its_changes_along(post, owner):
    kept = make_trigger(owner, "Kept")
    typo = make_trigger(owner, "Typo")
    typo.reword("Still a typo")
    post.send(action(typo, "delete"))
    assert recorded(owner) == [("added", "Kept", "", date(2025, 6, 17))]
    assert ChecklistChange.objects.get().trigger == kept


def test_a_change_is_written_in_the_same_transaction_as_the_change_itself(owner, monkeypatch):
    trigger = make_trigger(owner, "Too many meetings")

    def broken(*args, **kwargs):
        raise RuntimeError("the change's record can't be written")

    monkeypatch.setattr(ChecklistChange, "record", broken)
    with pytest.raises(RuntimeError):
        trigger.retire()
    with pytest.raises(RuntimeError):
        trigger.reword("New words")
    assert Trigger.objects.values_list("title", "retired").get(pk=trigger.pk) == ("Too many meetings", None)


def test_past_the_most_an_account_keeps_the_oldest_changes_make_room(owner, clock):
    trigger = make_trigger(owner, "Words 0")
    ChecklistChange.objects.bulk_create(
        ChecklistChange(
            user=owner, trigger=trigger, kind="reworded", title=f"Words {n}", old_title="x", at=MARCH
        )
        for n in range(1, MAX_CHANGES)
    )
    trigger.reword("Newest words")
    titles = list(ChecklistChange.objects.filter(user=owner).values_list("title", flat=True))
    assert len(titles) == MAX_CHANGES
    assert titles[0] == "Newest words"
    assert "Words 1" not in titles  # the oldest went; the first one made room
    assert "Words 0" in titles  # the addition, made later than the oldest rewordings


# The Changes list on the checklist page --------------------------------------------------


def test_the_checklist_lists_its_changes_newest_first_with_their_dates(owner_client, owner, clock):
    clock.move_to(MARCH)
    trigger = make_trigger(owner, "Too many meetings")
    clock.move_to(MAY)
    trigger.reword("Meetings eat every afternoon")
    clock.move_to(datetime(2025, 6, 17, 10, tzinfo=UTC))
    owner.triggers.get(title__startswith="Unsatisfied").toggle_private()
    text = changes_section(owner_client.get(reverse("checklist")).text)
    assert (
        "17 Jun 2025 Made private “Unsatisfied enough to look elsewhere” "
        "20 May 2025 Reworded “Too many meetings” to “Meetings eat every afternoon” "
        "4 Mar 2025 Added “Too many meetings”"
    ) in text
    assert "See all changes" not in text


def test_the_checklist_without_changes_says_what_will_be_listed(owner_client):
    text = changes_section(owner_client.get(reverse("checklist")).text)
    assert "No changes yet." in text


def test_a_change_made_with_htmx_is_in_the_fragment_it_answers(owner_client, owner):
    trigger = make_trigger(owner, "Too many meetings")
    response = owner_client.post(
        reverse("trigger_edit", args=[trigger.pk]), {"title": "Long meetings"}, **HTMX
    )
    assert_fragment(response, "checklist")
    assert "Reworded “Too many meetings” to “Long meetings”" in changes_section(response.text)


def test_a_change_made_without_javascript_is_on_the_page_it_returns_to(owner_client, owner):
    trigger = make_trigger(owner, "Too many meetings")
    response = owner_client.post(action(trigger, "retire"), follow=True)
    assert response.redirect_chain == [(reverse("checklist"), 302)]
    assert "Retired “Too many meetings”" in changes_section(response.text)


def test_the_checklist_shows_the_ten_newest_changes_and_links_to_all(owner_client, owner):
    for n in range(12):
        make_trigger(owner, f"Trigger {n}")
    text = changes_section(owner_client.get(reverse("checklist")).text)
    assert [f"Added “Trigger {n}”" in text for n in range(12)] == [False] * 2 + [True] * 10
    assert "See all changes" in text
    assert f'href="{reverse("checklist_changes")}"' in owner_client.get(reverse("checklist")).text


def test_all_changes_are_a_page_away_a_hundred_a_page(owner_client, owner, clock):
    clock.move_to(MARCH)
    trigger = make_trigger(owner, "Words 0")
    ChecklistChange.objects.bulk_create(
        ChecklistChange(
            user=owner, trigger=trigger, kind="reworded", title=f"Words {n}", old_title="x", at=MAY
        )
        for n in range(1, 150)
    )
    first = visible_text(owner_client.get(reverse("checklist_changes")).text)
    assert "Changes 1–100 of 150" in first
    assert "“Words 149”" in first and "“Words 50”" in first and "“Words 49”" not in first
    second = visible_text(owner_client.get(reverse("checklist_changes"), {"page": 2}).text)
    assert "Changes 101–150 of 150" in second
    assert "Added “Words 0”" in second


def test_the_checklist_costs_the_same_queries_with_one_change_or_the_most_kept(
    owner, other, django_assert_num_queries
):
    make_trigger(other, "One change")
    trigger = make_trigger(owner, "Words")
    ChecklistChange.objects.bulk_create(
        ChecklistChange(user=owner, trigger=trigger, kind="reworded", title=f"W {n}", old_title="x", at=MARCH)
        for n in range(MAX_CHANGES - 1)
    )
    # session, user, triggers, changes
    for user in (other, owner):
        client = client_for(user)
        with django_assert_num_queries(4):
            assert client.get(reverse("checklist")).status_code == 200
        with django_assert_num_queries(4):  # session, user, count, page
            assert client.get(reverse("checklist_changes")).status_code == 200


def test_another_users_changes_are_never_shown(owner_client, owner, other):
    make_trigger(other, "Their secret trigger").retire()
    assert "Their secret trigger" not in owner_client.get(reverse("checklist")).text
    assert "Their secret trigger" not in owner_client.get(reverse("checklist_changes")).text


def test_the_changes_page_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("checklist_changes"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# For the charts: when the checklist changed, and since when each trigger is on it ----------


@pytest.fixture
def history(clock):
    """A hand-made history: an account from January 2025 with two triggers, then changes
    in February (one), April (four) and June (one)."""
    user = make_user("history", default_checklist=False)
    clock.move_to(datetime(2025, 1, 10, tzinfo=UTC))
    meetings = make_trigger(user, "Too many meetings")
    trust = make_trigger(user, "Lack of trust in the managerial relationship with my manager", private=True)
    clock.move_to(datetime(2025, 2, 3, tzinfo=UTC))
    pay = make_trigger(user, "Pay freeze")
    clock.move_to(datetime(2025, 4, 1, tzinfo=UTC))
    meetings.reword("Meetings eat every afternoon")
    trust.toggle_private()
    pay.retire()
    trust.toggle_private()
    clock.move_to(datetime(2025, 6, 17, 10, tzinfo=UTC))
    pay.restore()
    # The private trigger rated in a check-in backfilled for last year: it was there then.
    make_checkin(user, date(2024, 11, 1), {trust: 2})
    return user, {"meetings": meetings, "trust": trust, "pay": pay}


def test_the_months_the_checklist_changed_with_what_changed(history):
    user, _ = history
    assert metrics.checklist_changes(user, date(2025, 2, 1), date(2025, 6, 1)) == {
        date(2025, 2, 1): "Added “Pay freeze”",
        date(2025, 4, 1): (
            "4 changes: reworded “Too many meetings” to “Meetings eat every afternoon”; "
            "made shareable “Lack of trust in the managerial relatio…”; retired “Pay freeze”; "
            "and 1 more"
        ),
        date(2025, 6, 1): "Restored “Pay freeze”",
    }


def test_the_changes_outside_the_span_are_left_out(history):
    user, _ = history
    assert list(metrics.checklist_changes(user, date(2025, 3, 1), date(2025, 5, 1))) == [date(2025, 4, 1)]
    assert list(metrics.checklist_changes(user, date(2024, 1, 1), date(2024, 12, 1))) == []


def test_the_changes_by_quarter_begin_with_the_quarter_of_the_span(history):
    user, _ = history
    quarters = metrics.checklist_changes(user, date(2025, 2, 1), date(2025, 6, 1), "quarter")
    assert list(quarters) == [date(2025, 1, 1), date(2025, 4, 1)]
    assert quarters[date(2025, 1, 1)] == (
        "3 changes: added “Too many meetings”; added “Lack of trust in the managerial relatio…”; "
        "added “Pay freeze”"
    )


def test_the_changes_of_triggers_left_out_are_never_told(history):
    user, triggers = history
    shown = [triggers["meetings"].pk, triggers["pay"].pk]
    months = metrics.checklist_changes(user, date(2025, 1, 1), date(2025, 6, 1), triggers=shown)
    assert months[date(2025, 4, 1)] == (
        "2 changes: reworded “Too many meetings” to “Meetings eat every afternoon”; retired “Pay freeze”"
    )
    assert "trust" not in str(months)


def test_another_users_changes_are_never_in_the_months(history, owner):
    user, _ = history
    make_trigger(owner, "Owner's trigger")
    assert metrics.checklist_changes(owner, date(2025, 1, 1), date(2025, 6, 1)) == {
        date(2025, 6, 1): "Added “Owner's trigger”"
    }
    assert "Owner" not in str(metrics.checklist_changes(user, date(2025, 1, 1), date(2025, 6, 1)))


def test_each_trigger_begins_when_it_was_added_or_first_rated_if_earlier(history, other):
    user, triggers = history
    assert metrics.trigger_starts(user) == {
        triggers["meetings"].pk: date(2025, 1, 1),
        triggers["trust"].pk: date(2024, 11, 1),  # rated in a backfilled check-in
        triggers["pay"].pk: date(2025, 2, 1),
    }
    assert metrics.trigger_starts(user, triggers=[triggers["pay"].pk]) == {
        triggers["pay"].pk: date(2025, 2, 1)
    }


def test_the_charts_functions_run_one_query_each(history, django_assert_num_queries):
    user, _ = history
    with django_assert_num_queries(1):
        metrics.checklist_changes(user, ago(60), this_month())
    with django_assert_num_queries(1):
        metrics.trigger_starts(user)


def test_kinds_are_what_the_page_and_the_charts_say():
    assert [(kind.value, kind.label) for kind in ChangeKind] == [
        ("added", "Added"),
        ("reworded", "Reworded"),
        ("retired", "Retired"),
        ("restored", "Restored"),
        ("private", "Made private"),
        ("shareable", "Made shareable"),
    ]


# Upgrading: what the checklists already tell becomes their first changes -----------------

BEFORE_CHANGES = ("assessments", "0011_shared_links")


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_records_the_triggers_added_later_and_the_retired_ones():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE_CHANGES])
    try:
        old = executor.loader.project_state([BEFORE_CHANGES]).apps
        joined = datetime(2024, 1, 5, 8, 0, tzinfo=UTC)
        user = old.get_model("auth", "User").objects.create(username="early", date_joined=joined)
        triggers = old.get_model("assessments", "Trigger").objects
        triggers.create(user=user, title="From the start", created=joined)
        triggers.create(user=user, title="Retired from the start", created=joined, retired=date(2024, 9, 2))
        triggers.create(user=user, title="Added later", created=datetime(2024, 3, 8, 14, tzinfo=UTC))
        triggers.create(
            user=user,
            title="Added and retired",
            created=datetime(2024, 4, 1, 9, tzinfo=UTC),
            retired=date(2024, 5, 30),
        )
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert recorded(User.objects.get(username="early")) == [
        ("added", "Added later", "", date(2024, 3, 8)),
        ("added", "Added and retired", "", date(2024, 4, 1)),
        ("retired", "Added and retired", "", date(2024, 5, 30)),
        ("retired", "Retired from the start", "", date(2024, 9, 2)),
    ]
