"""Links for a manager: a read-only copy of one export at a long random address.

Made from the export page's choices (POST /export/links/), shown once, opened by anyone
with the address and no account until it expires or is revoked; only the SHA-256 of its
token is stored, and opening it records the time and nothing else.
"""

import hashlib
import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import backup, exports, sharing
from assessments.models import CheckIn, LinkOpening, Rating, SharedLink, Trigger

from .factories import make_trigger, make_user
from .helpers import search
from .test_export import (
    SECRET_NOTES,
    SHOWN_NOTE,
    TALKING_POINTS,
    History,
    ago,
    everything_on,
    form_data,
    handout,
    make_history,
    secrets,
)
from .test_export_contract import handout_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_checklist() -> bool:
    return False


@pytest.fixture
def history(owner) -> History:
    return make_history(owner)


def make_link(client, data: dict, days: str = "14") -> str:
    """The new link's address, as the export page shows it once."""
    response = client.post(reverse("link_create"), data | {"days": days})
    assert response.status_code == 302, response.content[:300]
    page = client.get(response.url)
    assert page.status_code == 200
    found = re.search(r'<input type="text" id="new-link" value="([^"]+)" readonly>', page.text)
    assert found, "the new link is shown"
    return found.group(1)


def token_of(address: str) -> str:
    return address.rstrip("/").rsplit("/", 1)[1]


def anonymous_get(address: str):
    return Client().get(address)


def without_csrf_token(html: str) -> str:
    """A page without its CSRF token, which is masked anew for every response."""
    return re.sub(r'"X-CSRFToken": "\w+"', "", html)


@pytest.fixture
def address(owner_client, history) -> str:
    return make_link(owner_client, everything_on(history))


# Making a link ---------------------------------------------------------------------------


def test_a_link_is_a_long_random_address_whose_token_is_stored_only_as_its_sha256(owner_client, history):
    address = make_link(owner_client, everything_on(history))
    token = token_of(address)
    assert address.startswith("http://testserver/shared/")
    assert len(token) >= 43  # 32 random bytes, base64
    link = SharedLink.objects.get(user=history.user)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = json.dumps(list(SharedLink.objects.values()), default=str)
    assert token not in stored
    assert token not in json.dumps(dict(owner_client.session), default=str)  # shown, then forgotten
    assert token_of(make_link(owner_client, everything_on(history))) != token


def test_the_new_link_is_shown_once_and_never_again(owner_client, history):
    address = make_link(owner_client, everything_on(history))
    page = unescape(owner_client.get(reverse("export")).text)
    assert address not in page
    assert token_of(address) not in page
    assert "Not opened yet" in page  # it is listed, without its address


def test_after_making_a_link_the_page_keeps_the_choices_it_was_made_with(owner_client, history):
    data = everything_on(history)
    response = owner_client.post(reverse("link_create"), data | {"days": "7"})
    assert response.url.startswith(reverse("export") + "?")
    assert response.url.endswith("#links")
    assert "days=" not in response.url and "csrfmiddlewaretoken" not in response.url
    page = owner_client.get(response.url)
    assert SHOWN_NOTE in unescape(handout(page.text))  # notes were on for the link


@pytest.mark.parametrize("days", [1, 7, 14, 30])
def test_a_link_works_for_the_days_chosen(owner_client, history, days):
    before = timezone.now()
    make_link(owner_client, everything_on(history), days=str(days))
    link = SharedLink.objects.get(user=history.user)
    assert before + timedelta(days=days) <= link.expires <= timezone.now() + timedelta(days=days)


def test_a_link_works_for_14_days_unless_told_otherwise(owner_client, history):
    page = owner_client.get(reverse("export")).text
    assert re.search(r'<option value="14" selected>14 days</option>', page)


@pytest.mark.parametrize("days", ["3", "", "365", "-1", "abc"])
def test_a_lifetime_not_offered_is_refused_and_makes_no_link(owner_client, history, days):
    response = owner_client.post(reverse("link_create"), everything_on(history) | {"days": days})
    assert response.status_code == 400
    assert "Select a valid choice" in unescape(response.text) or "This field is required" in response.text
    assert not SharedLink.objects.exists()


def test_choices_the_export_refuses_make_no_link(owner_client, history):
    choices = history.choices | {history.lead_too: "show"}  # Leadership alone on Theme only
    data = form_data(history.user, ago(2), ago(0), choices)
    response = owner_client.post(reverse("link_create"), data | {"days": "7"})
    assert response.status_code == 400
    assert "only one “Leadership” trigger is on Theme only" in unescape(response.text)
    assert not SharedLink.objects.exists()


def test_making_a_link_remembers_the_choices_as_a_download_does(owner_client, history):
    make_link(owner_client, form_data(history.user, ago(2), ago(0), {history.shown: "hide"}))
    visibility = exports.UserSettings.of(history.user).export_choices["visibility"]
    assert visibility[str(history.shown.pk)] == "hide"


def test_no_more_than_20_live_links_and_the_message_says_what_to_do(owner_client, history):
    for _ in range(sharing.MAX_LINKS):
        make_link(owner_client, everything_on(history))
    response = owner_client.post(reverse("link_create"), everything_on(history) | {"days": "7"})
    assert response.status_code == 400
    assert "You have 20 live links, the most at once. Revoke one you no longer need" in response.text
    assert SharedLink.objects.count() == 20
    owner_client.post(reverse("link_revoke", args=[SharedLink.objects.all()[0].pk]))
    make_link(owner_client, everything_on(history))
    assert SharedLink.objects.count() == 20


def test_expired_links_leave_room_and_are_deleted_when_links_are_next_made(owner_client, history, other):
    for _ in range(sharing.MAX_LINKS):
        make_link(owner_client, everything_on(history))
    theirs = sharing.create(
        user=other, export=exports.build(other, exports.saved_choices(other, [])), days=1
    )[0]
    past = timezone.now() - timedelta(days=1)
    SharedLink.objects.update(created=past - timedelta(days=1), expires=past)
    make_link(owner_client, everything_on(history))
    assert SharedLink.objects.count() == 1
    assert not SharedLink.objects.filter(pk=theirs.pk).exists()


# Opening a link ---------------------------------------------------------------------------


def test_the_link_opens_without_an_account_and_shows_the_preview(owner_client, history, address):
    response = anonymous_get(address)
    assert response.status_code == 200
    preview = owner_client.get(reverse("export"), everything_on(history)).text
    assert handout_facts(response.text) == handout_facts(preview)
    text = unescape(response.text)
    assert history.shown.title in text and SHOWN_NOTE in text and TALKING_POINTS in text
    for words in secrets(history):
        assert words not in text


def test_the_shared_page_tells_search_engines_and_caches_to_keep_out_and_sends_no_referer(address):
    response = anonymous_get(address)
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy


def test_the_shared_page_needs_no_script_and_has_nothing_to_log_in_to(address):
    text = anonymous_get(address).text
    # Its one script only reveals the print button; the handout is all in the HTML.
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/js/print.js" defer>']
    assert '<table class="handout-heatmap">' in text
    assert "Log in" not in text and "Sign up" not in text
    assert "<form" not in text


def test_the_shared_page_is_a_snapshot_that_later_changes_leave_alone(owner_client, history, address):
    before = anonymous_get(address).text
    Trigger.objects.filter(pk=history.shown.pk).update(title="Renamed later")
    Rating.objects.filter(trigger=history.shown).update(level=0, note="Edited later")
    CheckIn.objects.filter(user=history.user).update(talking_points="Changed later", wellbeing=1)
    CheckIn.objects.filter(user=history.user, month=ago(0)).delete()
    after = anonymous_get(address).text
    assert handout_facts(after) == handout_facts(before)
    assert "later" not in unescape(handout(after))
    assert history.shown.title in unescape(after)


@pytest.mark.parametrize("how", ["revoked", "expired", "unknown", "owner deleted"])
def test_a_link_that_is_gone_is_the_same_404_as_any_unknown_address(owner_client, history, address, how):
    link = SharedLink.objects.get()
    if how == "revoked":
        assert owner_client.post(reverse("link_revoke", args=[link.pk])).status_code == 302
    elif how == "expired":
        past = timezone.now() - timedelta(seconds=1)
        SharedLink.objects.update(created=past - timedelta(days=1), expires=past)
    elif how == "unknown":
        address = address[:-5] + "xxxx/"
    else:
        get_user_model().objects.filter(pk=history.user.pk).delete()
    response = anonymous_get(address)
    unknown = anonymous_get(reverse("shared", args=["no-such-link-" + "x" * 30]))
    assert response.status_code == unknown.status_code == 404
    assert without_csrf_token(response.text) == without_csrf_token(unknown.text)
    assert history.shown.title not in response.text
    assert response["Referrer-Policy"] == "no-referrer"


def test_each_opening_records_its_time_and_nothing_about_who_opened_it(owner_client, history, address):
    before = timezone.now()
    Client(HTTP_USER_AGENT="Manager's browser", REMOTE_ADDR="203.0.113.9").get(address)
    anonymous_get(address)
    link = SharedLink.objects.get()
    assert link.opens == 2
    times = list(link.openings.values_list("at", flat=True))
    assert len(times) == 2 and all(before <= at <= timezone.now() for at in times)
    assert {f.name for f in LinkOpening._meta.get_fields()} == {"id", "link", "at"}
    stored = json.dumps([list(SharedLink.objects.values()), list(LinkOpening.objects.values())], default=str)
    assert "203.0.113.9" not in stored and "Manager" not in stored
    page = unescape(owner_client.get(reverse("export")).text)
    assert "Opened 2 times" in page
    assert page.count(f"{timezone.localtime(times[0]):%-d %b %Y, %H:%M}") >= 1


def test_the_owner_opening_their_own_link_is_not_counted(owner_client, address):
    assert owner_client.get(address).status_code == 200
    assert SharedLink.objects.get().opens == 0


def test_only_the_latest_openings_times_are_kept_but_every_opening_is_counted(address):
    link = SharedLink.objects.get()
    for _ in range(sharing.KEEP_OPENINGS + 3):
        sharing.record_opening(link)
    link.refresh_from_db()
    assert link.opens == sharing.KEEP_OPENINGS + 3
    assert link.openings.count() == sharing.KEEP_OPENINGS


def test_opening_a_link_takes_a_few_queries(address, django_assert_num_queries):
    client = Client()
    # The link; its count, its opening, the openings past those kept (in a transaction).
    with django_assert_num_queries(6):
        assert client.get(address).status_code == 200


# The list of links and Revoke --------------------------------------------------------------


def test_the_export_page_lists_live_links_with_period_created_expires_opens_and_revoke(
    owner_client, history, address
):
    make_link(owner_client, form_data(history.user, ago(1), ago(1)))
    page = unescape(owner_client.get(reverse("export")).text)
    section = search(r'<section id="links".*?</section>', page, re.S).group(0)
    assert section.count('<button type="submit" class="small danger"') == 2
    assert section.count(">Revoke</button>") == 2
    assert f"{ago(2):%b %Y} – {ago(0):%b %Y}" in section
    assert f"<strong>{ago(1):%b %Y}</strong>" in section
    assert section.count("Created ") == 2 and section.count("Expires ") == 2
    assert section.count("Not opened yet") == 2


def test_the_list_of_links_takes_the_same_queries_for_one_link_or_twenty(
    owner_client, history, django_assert_num_queries
):
    make_link(owner_client, everything_on(history))
    anonymous_get(make_link(owner_client, everything_on(history)))
    # The session and user; the choices, the export, its Markdown; the links and their openings.
    with django_assert_num_queries(11):
        owner_client.get(reverse("export"))
    for _ in range(18):
        anonymous_get(make_link(owner_client, everything_on(history)))
    with django_assert_num_queries(11):
        owner_client.get(reverse("export"))


def test_revoke_deletes_the_link_and_its_copy_at_once(owner_client, history, address):
    anonymous_get(address)
    link = SharedLink.objects.get()
    response = owner_client.post(reverse("link_revoke", args=[link.pk]))
    assert response.status_code == 302
    assert response.url == reverse("export") + "#links"
    assert not SharedLink.objects.exists() and not LinkOpening.objects.exists()
    page = unescape(owner_client.get(reverse("export")).text)
    assert "revoked. It no longer opens." in page
    assert anonymous_get(address).status_code == 404


def test_another_users_link_cannot_be_revoked_and_is_a_404(history, address, other_client):
    link = SharedLink.objects.get()
    assert other_client.post(reverse("link_revoke", args=[link.pk])).status_code == 404
    assert other_client.post(reverse("link_revoke", args=[link.pk + 1000])).status_code == 404
    assert SharedLink.objects.filter(pk=link.pk).exists()
    assert anonymous_get(address).status_code == 200
    assert history.shown.title not in unescape(other_client.get(reverse("export")).text)


def test_revoke_must_be_posted(owner_client, address):
    link = SharedLink.objects.get()
    assert owner_client.get(reverse("link_revoke", args=[link.pk])).status_code == 405
    assert SharedLink.objects.exists()


def test_making_and_revoking_a_link_need_the_csrf_token(owner, history, address):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("link_create"), everything_on(history) | {"days": "7"})
    assert response.status_code == 403
    link = SharedLink.objects.get()
    assert client.post(reverse("link_revoke", args=[link.pk])).status_code == 403
    assert SharedLink.objects.count() == 1
    # With the page's token, both work.
    page = client.get(reverse("export"))
    token = search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = everything_on(history) | {"days": "7", "csrfmiddlewaretoken": token}
    assert client.post(reverse("link_create"), data).status_code == 302
    assert (
        client.post(reverse("link_revoke", args=[link.pk]), {"csrfmiddlewaretoken": token}).status_code == 302
    )
    assert SharedLink.objects.count() == 1


def test_making_a_link_needs_an_account(client, history):
    response = client.post(reverse("link_create"), everything_on(history) | {"days": "7"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not SharedLink.objects.exists()


# The account ----------------------------------------------------------------------------------


def test_deleting_the_account_deletes_its_links_and_their_openings(owner_client, history, address):
    anonymous_get(address)
    get_user_model().objects.filter(pk=history.user.pk).delete()
    assert not SharedLink.objects.exists() and not LinkOpening.objects.exists()


def test_a_backup_holds_no_link_and_a_restore_leaves_the_links_alone(owner_client, history, address):
    data = backup.dump(history.user)
    assert "link" not in json.dumps(data).lower()
    backup.restore(history.user, data)
    assert anonymous_get(address).status_code == 200


def test_an_export_comes_back_from_its_snapshot_unchanged(history):
    choices = exports.saved_choices(history.user, list(Trigger.objects.filter(user=history.user)))
    choices |= {"notes": True, "start": ago(2), "end": ago(0)}
    export = exports.build(history.user, choices)
    assert exports.Export.from_snapshot(export.snapshot()) == export
    assert SECRET_NOTES[0] not in json.dumps(export.snapshot())


def test_a_user_without_triggers_can_share_an_empty_period(client):
    user = make_user("newcomer", default_checklist=False)
    make_trigger(user, "Lonely")
    client.force_login(user)
    address = make_link(client, {"start": f"{ago(0):%Y-%m}", "end": f"{ago(0):%Y-%m}"})
    assert "No check-ins in this period." in anonymous_get(address).text


def test_what_people_typed_is_text_on_the_shared_page(client):
    hostile = "<script>alert(1)</script>"
    user = make_user("hostile", default_checklist=False)
    trigger = make_trigger(user, hostile, theme=hostile)
    checkin = CheckIn.objects.create(user=user, month=ago(0), talking_points=hostile)
    Rating.objects.create(checkin=checkin, trigger=trigger, level=3, note=hostile)
    client.force_login(user)
    data = form_data(user, ago(0), ago(0), notes=True)
    text = anonymous_get(make_link(client, data)).text
    assert hostile not in text
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # title, note, talking points
