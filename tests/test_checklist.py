"""The checklist's lifecycle: add, edit, reorder, private, retire, restore, delete.

Every action is tried as an htmx request (answered with the #checklist fragment) and as a
plain form post (answered with a redirect back to the checklist).
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from assessments.defaults import THEMES
from assessments.models import Rating, Trigger, previous_month, this_month

from .factories import make_checkin, make_trigger, make_user
from .helpers import HTMX, FormPost, Response, Row, assert_fragment

pytestmark = pytest.mark.django_db

ACTIONS = ["up", "down", "private", "retire", "restore", "delete"]
HAS_RATINGS = "This trigger has ratings, so it can only be retired."


class Post(FormPost):
    def __call__(self, url: str, data: dict | None = None, *, ok: bool = True) -> Response:
        """Send, and unless told otherwise check the answer is the right kind of success."""
        response = self.send(url, data)
        if ok:
            self.assert_done(response, fragment="checklist", page=reverse("checklist"))
        return response


@pytest.fixture(params=["htmx", "plain"])
def post(request, owner_client) -> Post:
    return Post(owner_client, htmx=request.param == "htmx")


def action(trigger: Trigger, name: str) -> str:
    return reverse("trigger_action", args=[trigger.pk, name])


def active(user) -> list[str]:
    return list(user.triggers.filter(retired__isnull=True).values_list("title", flat=True))


def rows(user) -> list[Row]:
    return list(Trigger.objects.filter(user=user).order_by("pk").values())


# The page --------------------------------------------------------------------------


def test_checklist_shows_active_triggers_in_order(owner_client, owner):
    # Moved, so that the order of positions differs from the order of creation.
    owner.triggers.first().move(+1)
    response = owner_client.get(reverse("checklist"))
    assert response.status_code == 200
    positions = [response.text.index(f">{title}</strong>") for title in active(owner)]
    assert positions == sorted(positions)
    assert 'Active <span class="count">(11)</span>' in response.text


def test_checklist_as_htmx_is_the_fragment(owner_client):
    assert_fragment(owner_client.get(reverse("checklist"), **HTMX), "checklist")


def test_checklist_never_shows_another_users_triggers(owner_client, other):
    make_trigger(other, "Their secret trigger")
    assert "Their secret trigger" not in owner_client.get(reverse("checklist")).text


def test_only_never_rated_triggers_offer_delete(owner_client, owner):
    rated, unrated = list(owner.triggers.all()[:2])
    make_checkin(owner, this_month(), {rated: 0})
    text = owner_client.get(reverse("checklist")).text
    assert f'id="delete-{unrated.pk}"' in text
    assert f'id="delete-{rated.pk}"' not in text
    assert f'id="retire-{rated.pk}"' in text


# Add -------------------------------------------------------------------------------


def test_adding_a_trigger_puts_it_at_the_end(post, owner):
    response = post(
        reverse("trigger_add"),
        {"title": "  Constant   reorgs ", "description": "Every quarter", "theme": "Leadership"},
    )
    trigger = owner.triggers.last()
    assert (trigger.title, trigger.description, trigger.theme) == (
        "Constant reorgs",
        "Every quarter",
        "Leadership",
    )
    assert (trigger.private, trigger.retired) == (False, None)
    assert active(owner)[-1] == "Constant reorgs"
    if post.htmx:
        assert "Constant reorgs</strong>" in response.text


def test_added_trigger_is_on_the_next_checkin(post, owner_client, owner):
    post(reverse("trigger_add"), {"title": "Constant reorgs"})
    assert (
        "<legend>Constant reorgs</legend>" in owner_client.get(reverse("checkin", args=[this_month()])).text
    )


@pytest.mark.parametrize("title", ["", "   "])
def test_adding_a_blank_title_is_refused_with_a_message(post, owner, title):
    before = rows(owner)
    response = post(reverse("trigger_add"), {"title": title, "theme": "Team"}, ok=False)
    assert response.status_code == post.refused
    assert "This field is required." in response.text
    assert rows(owner) == before


def test_adding_a_too_long_title_is_refused(post, owner):
    before = rows(owner)
    response = post(reverse("trigger_add"), {"title": "x" * 201}, ok=False)
    assert response.status_code == post.refused
    assert "Ensure this value has at most 200 characters (it has 201)." in response.text
    assert rows(owner) == before


def test_a_trigger_can_have_a_short_name_for_tight_places(post, owner_client, owner):
    response = post(reverse("trigger_add"), {"title": "Constant reorgs", "short_name": "  Re  orgs "})
    assert owner.triggers.last().short_name == "Re orgs"
    page = response.text if post.htmx else owner_client.get(reverse("checklist")).text
    assert "(“Re orgs”)" in page


def test_a_short_name_longer_than_24_characters_is_refused(post, owner):
    before = rows(owner)
    response = post(reverse("trigger_add"), {"title": "Constant reorgs", "short_name": "x" * 25}, ok=False)
    assert response.status_code == (422 if post.htmx else 400)
    assert "Ensure this value has at most 24 characters (it has 25)." in response.text
    assert rows(owner) == before


def test_the_default_checklist_shows_its_short_names_and_each_description_once(owner_client, owner):
    page = owner_client.get(reverse("checklist")).text
    assert "(“Gamified KPIs”)" in page
    # Where the title is already the document's wording, it is not repeated as a description.
    assert page.count("Lack of trust in the managerial relationship") == 1


# Edit ------------------------------------------------------------------------------


def test_edit_form_shows_the_triggers_current_words(owner_client, owner):
    trigger = make_trigger(owner, "Old words", description="Old description", short_name="Old")
    response = owner_client.get(reverse("trigger_edit", args=[trigger.pk]), **HTMX)
    assert response.status_code == 200
    assert_fragment(response, "checklist")
    assert 'value="Old words"' in response.text
    assert re.search(
        r'<label for="edit_short_name">Short name <span class="hint">\(optional\)</span></label>',
        response.text,
    )
    assert 'value="Old"' in response.text
    assert "Old description</textarea>" in response.text
    assert owner_client.get(reverse("trigger_edit", args=[trigger.pk])).status_code == 200


def test_editing_changes_title_short_name_description_and_theme(post, owner):
    trigger = make_trigger(owner, "Old words", short_name="Old")
    post(
        reverse("trigger_edit", args=[trigger.pk]),
        {"title": "New words", "short_name": "New", "description": "Now described", "theme": "Ethics"},
    )
    trigger.refresh_from_db()
    assert (trigger.title, trigger.short_name, trigger.description, trigger.theme) == (
        "New words",
        "New",
        "Now described",
        "Ethics",
    )


def test_rewording_keeps_the_triggers_ratings(post, owner_client, owner):
    trigger = make_trigger(owner, "Old words")
    month = previous_month(this_month())
    make_checkin(owner, month, {trigger: 3})
    post(reverse("trigger_edit", args=[trigger.pk]), {"title": "New words"})
    assert list(Rating.objects.values_list("trigger", "level")) == [(trigger.pk, 3)]
    page = owner_client.get(reverse("checkin", args=[month])).text
    assert "<legend>New words</legend>" in page
    assert "Old words" not in page


def test_editing_to_a_blank_title_is_refused(post, owner):
    trigger = make_trigger(owner, "Keep me")
    before = rows(owner)
    response = post(reverse("trigger_edit", args=[trigger.pk]), {"title": " ", "theme": "Team"}, ok=False)
    assert response.status_code == post.refused
    assert "This field is required." in response.text
    assert rows(owner) == before


# Move ------------------------------------------------------------------------------


def test_moving_down_swaps_with_the_next(post, owner):
    first, second, *rest = active(owner)
    post(action(owner.triggers.get(title=first), "down"))
    assert active(owner) == [second, first, *rest]


def test_moving_up_swaps_with_the_previous(post, owner):
    first, second, *rest = active(owner)
    response = post(action(owner.triggers.get(title=second), "up"))
    assert active(owner) == [second, first, *rest]
    if post.htmx:
        assert response.text.index(f">{second}</strong>") < response.text.index(f">{first}</strong>")


def test_the_first_trigger_cannot_move_further_up(post, owner):
    before = active(owner)
    post(action(owner.triggers.get(title=before[0]), "up"))
    assert active(owner) == before


def test_the_last_trigger_cannot_move_further_down(post, owner):
    before = active(owner)
    post(action(owner.triggers.get(title=before[-1]), "down"))
    assert active(owner) == before


def test_the_new_order_is_the_checkin_order(post, owner_client, owner):
    first, second, *_ = active(owner)
    post(action(owner.triggers.get(title=first), "down"))
    page = owner_client.get(reverse("checkin", args=[this_month()])).text
    assert page.index(f"<legend>{second}</legend>") < page.index(f"<legend>{first}</legend>")


# Private ---------------------------------------------------------------------------


def test_marking_private_and_back(post, owner):
    trigger = make_trigger(owner)
    post(action(trigger, "private"))
    trigger.refresh_from_db()
    assert trigger.private is True
    response = post(action(trigger, "private"))
    trigger.refresh_from_db()
    assert trigger.private is False
    if post.htmx:
        assert f'id="private-{trigger.pk}"' in response.text
        assert "Mark private</button>" in response.text


# Retire and restore -----------------------------------------------------------------


def test_retiring_takes_a_trigger_off_the_active_list(post, owner_client, owner):
    trigger = make_trigger(owner, "Going away")
    response = post(action(trigger, "retire"))
    trigger.refresh_from_db()
    assert trigger.retired is not None
    assert "Going away" not in active(owner)
    assert "<legend>Going away</legend>" not in owner_client.get(reverse("checkin", args=[this_month()])).text
    if post.htmx:
        assert f'id="restore-{trigger.pk}"' in response.text


def test_retiring_a_rated_trigger_keeps_its_ratings(post, owner):
    trigger = make_trigger(owner)
    make_checkin(owner, previous_month(this_month()), {trigger: 2})
    post(action(trigger, "retire"))
    assert Trigger.objects.get(pk=trigger.pk).retired is not None
    assert trigger.ratings.count() == 1


def test_restoring_brings_a_trigger_back_at_the_end(post, owner):
    trigger = owner.triggers.first()
    trigger.retire()
    post(action(trigger, "restore"))
    trigger.refresh_from_db()
    assert trigger.retired is None
    assert active(owner)[-1] == trigger.title


# Delete ------------------------------------------------------------------------------


def test_deleting_a_never_rated_trigger_removes_it(post, owner):
    trigger = make_trigger(owner, "Typo")
    post(action(trigger, "delete"))
    assert not Trigger.objects.filter(pk=trigger.pk).exists()


def test_deleting_a_retired_never_rated_trigger_removes_it(post, owner):
    trigger = make_trigger(owner, "Typo")
    trigger.retire()
    post(action(trigger, "delete"))
    assert not Trigger.objects.filter(pk=trigger.pk).exists()


@pytest.mark.parametrize("retired", [False, True])
def test_a_rated_trigger_is_not_deleted_and_the_page_says_why(post, owner_client, owner, retired):
    trigger = make_trigger(owner)
    make_checkin(owner, previous_month(this_month()), {trigger: 0})
    if retired:
        trigger.retire()
    before = rows(owner)
    response = post(action(trigger, "delete"))
    assert rows(owner) == before
    assert trigger.ratings.count() == 1
    if post.htmx:
        assert HAS_RATINGS in response.text
    else:
        assert HAS_RATINGS in owner_client.get(response.url).text


# Another user's trigger, wrong methods -------------------------------------------------


@pytest.mark.parametrize("name", ACTIONS)
def test_another_users_trigger_is_404_for_every_action(post, owner, other, name):
    theirs = make_trigger(other, "Theirs")
    if name == "restore":
        theirs.retire()
    before = rows(other), rows(owner)
    response = post(action(theirs, name), ok=False)
    assert response.status_code == 404
    assert (rows(other), rows(owner)) == before


def test_another_users_trigger_cannot_be_edited(post, owner, other):
    theirs = make_trigger(other, "Theirs")
    before = rows(other)
    assert post(reverse("trigger_edit", args=[theirs.pk]), {"title": "Mine now"}, ok=False).status_code == 404
    assert rows(other) == before


def test_another_users_edit_form_is_404(owner_client, other):
    theirs = make_trigger(other, "Theirs")
    response = owner_client.get(reverse("trigger_edit", args=[theirs.pk]))
    assert response.status_code == 404
    assert "Theirs" not in response.text


def test_a_trigger_that_does_not_exist_is_404(post):
    assert post(reverse("trigger_action", args=[999999, "retire"]), ok=False).status_code == 404


def test_an_unknown_action_is_404(owner_client, owner):
    before = rows(owner)
    assert owner_client.post(f"/checklist/{owner.triggers.first().pk}/explode/").status_code == 404
    assert rows(owner) == before


@pytest.mark.parametrize("name", ACTIONS)
def test_get_on_an_action_is_405_and_changes_nothing(owner_client, owner, name):
    trigger = make_trigger(owner)
    before = rows(owner)
    assert owner_client.get(action(trigger, name)).status_code == 405
    assert rows(owner) == before


def test_get_on_add_is_405(owner_client, owner):
    before = rows(owner)
    assert owner_client.get(reverse("trigger_add"), {"title": "Sneaky"}).status_code == 405
    assert rows(owner) == before


def test_checklist_page_itself_does_not_take_posts(owner_client):
    assert owner_client.post(reverse("checklist"), {"title": "Sneaky"}).status_code == 405


def test_the_theme_suggestions_are_the_usual_themes_and_the_owners_own(client):
    owner = make_user("owner", default_checklist=False)
    make_trigger(owner, "Pay freeze", theme="Pay")
    client.force_login(owner)
    page = client.get(reverse("checklist")).text
    (themes,) = re.findall(r'<datalist id="themes">(.*?)</datalist>', page, re.S)
    offered = [unescape(value) for value in re.findall(r'<option value="([^"]*)">', themes)]
    assert offered == sorted({*THEMES, "Pay"})
    assert unescape(", ".join(THEMES[:-1])) in unescape(page)  # the hint under the theme field
