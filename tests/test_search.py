"""Search notes: a word in the notes on ratings, the private notes and the talking points of
one account, grouped by month, with the match highlighted and a link to its month."""

import re

import pytest
from django.urls import reverse

from assessments.models import CheckIn, Level, Rating, add_months, this_month
from assessments.search import CONTEXT, MAX_QUERY, MAX_RESULTS, SNIPPET

from .factories import make_checkin, make_trigger
from .helpers import ago, search, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def default_checklist() -> bool:
    return False


def find(client, query: str):
    return client.get(reverse("search"), {"q": query})


def hits(html: str) -> list[tuple[str, str, str]]:
    """Each result as (month heading, kind, snippet), in the page's order."""
    found = []
    for section in re.findall(r'<section class="found".*?</section>', html, re.S):
        month = visible_text(search(r"<h2.*?</h2>", section, re.S).group())
        for item in re.findall(r"<li>(.*?)</li>", section, re.S):
            kind = visible_text(search(r'<a [^>]*class="kind">(.*?)</a>', item, re.S).group(1))
            snippet = search(r'<p class="snippet">(.*?)</p>', item, re.S).group(1)
            found.append((month, kind, snippet))
    return found


def rate(user, month, trigger, note: str) -> None:
    """A rating with `note` on the month's check-in, made if there is none yet."""
    checkin, _ = CheckIn.objects.get_or_create(user=user, month=month)
    Rating.objects.create(checkin=checkin, trigger=trigger, level=Level.CLEAR, note=note)


def test_each_kind_of_note_is_found_under_its_name(owner_client, owner):
    trigger = make_trigger(owner, "No room to grow")
    checkin = make_checkin(owner, ago(1), notes="The reorg worries me.", talking_points="Ask why the reorg.")
    Rating.objects.create(checkin=checkin, trigger=trigger, level=Level.CLEAR, note="Reorg again, no role.")
    response = find(owner_client, "reorg")
    assert response.status_code == 200
    month = f"{ago(1):%B %Y}"
    assert hits(response.text) == [
        (month, "No room to grow", "<mark>Reorg</mark> again, no role."),
        (month, "Private note", "The <mark>reorg</mark> worries me."),
        (month, "Talking points", "Ask why the <mark>reorg</mark>."),
    ]
    assert "“reorg” is in 3 notes from 1 month." in visible_text(response.text)


def test_months_come_newest_first_and_notes_in_the_check_in_pages_order(owner_client, owner):
    first, second = make_trigger(owner, "First"), make_trigger(owner, "Second")
    for months in (5, 0, 2):
        make_checkin(owner, ago(months), talking_points=f"budget {months}")
    rate(owner, ago(2), second, "budget cut")
    rate(owner, ago(2), first, "budget freeze")
    found = [(month, kind) for month, kind, _ in hits(find(owner_client, "budget").text)]
    assert found == [
        (f"{ago(0):%B %Y}", "Talking points"),
        (f"{ago(2):%B %Y}", "First"),
        (f"{ago(2):%B %Y}", "Second"),
        (f"{ago(2):%B %Y}", "Talking points"),
        (f"{ago(5):%B %Y}", "Talking points"),
    ]


def test_each_result_links_to_its_note_on_its_months_check_in(owner_client, owner):
    trigger = make_trigger(owner, "Blame")
    make_checkin(owner, ago(3), notes="overtime", talking_points="overtime")
    rate(owner, ago(3), trigger, "overtime")
    text = find(owner_client, "overtime").text
    page = reverse("checkin", args=[ago(3)])
    assert f'<a href="{page}">{ago(3):%B %Y}</a>' in text
    anchors = re.findall(rf'href="{page}#([\w-]+)"', text)
    assert anchors == [f"trigger-{trigger.pk}", "notes", "talking_points"]
    checkin_page = owner_client.get(page).text
    for anchor in anchors:
        assert f'id="{anchor}"' in checkin_page


def test_another_users_notes_are_never_found(owner_client, owner, other):
    theirs = make_trigger(other, "Their trigger")
    checkin = make_checkin(other, ago(1), notes="secret layoffs", talking_points="layoffs roster")
    Rating.objects.create(checkin=checkin, trigger=theirs, level=Level.STRONG, note="layoffs soon")
    make_checkin(owner, ago(2), notes="Heard about layoffs.")
    response = find(owner_client, "layoffs")
    assert [(month, kind) for month, kind, _ in hits(response.text)] == [(f"{ago(2):%B %Y}", "Private note")]
    for theirs_only in ("secret", "Their trigger", "roster", "soon", f"{ago(1):%B %Y}"):
        assert theirs_only not in response.text


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("überstunden", "Wieder Überstunden gemacht."),
        ("ÜBERSTUNDEN", "wieder überstunden gemacht"),
        ("Ü", "Wieder ÜBERSTUNDEN."),
        ("ü", "Wieder ÜBERSTUNDEN."),
        ("ÉQUIPE", "l’équipe est partie"),
        ("σοφία", "ΣΟΦΊΑ"),
        ("Reorg", "REORG and reorg"),
    ],
)
def test_case_never_matters_in_any_alphabet(owner_client, owner, query, note):
    make_checkin(owner, ago(1), notes=note)
    [(_, _, snippet)] = hits(find(owner_client, query).text)
    assert "<mark>" in snippet


def test_letters_that_differ_by_more_than_case_dont_match(owner_client, owner):
    make_checkin(owner, ago(1), notes="Ueberstunden and uberstunden")
    assert hits(find(owner_client, "überstunden").text) == []


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("%", "100% booked", "fully booked"),
        ("_", "snake_case", "snake case"),
        ("\\", "C:\\temp", "C:/temp"),
        ("a%b", "a%b", "aXXb"),
        ("a_b", "a_b", "axb"),
        (".*", "regex .* here", "anything"),
        ("[x]", "box [x] ticked", "x"),
    ],
)
def test_wildcards_in_the_query_are_matched_literally(owner_client, owner, query, found, not_found):
    make_checkin(owner, ago(1), notes=found)
    make_checkin(owner, ago(2), notes=not_found)
    assert [month for month, _, _ in hits(find(owner_client, query).text)] == [f"{ago(1):%B %Y}"]


def test_a_phrase_is_found_across_a_line_break_and_extra_spaces(owner_client, owner):
    make_checkin(owner, ago(1), notes="Another on-call\nweekend.")
    [(_, _, snippet)] = hits(find(owner_client, "  on-call   weekend ").text)
    assert snippet == "Another <mark>on-call\nweekend</mark>."


def test_notes_and_the_query_are_shown_as_text_with_the_match_highlighted(owner_client, owner):
    make_checkin(owner, ago(1), notes='<script>alert(1)</script> and <b>bold</b> "quoted" & more')
    response = find(owner_client, "<b>")
    [(_, _, snippet)] = hits(response.text)
    assert snippet == (
        "&lt;script&gt;alert(1)&lt;/script&gt; and <mark>&lt;b&gt;</mark>bold&lt;/b&gt; "
        "&quot;quoted&quot; &amp; more"
    )
    assert "<script>alert" not in response.text
    assert "<b>" not in response.text
    assert 'value="&lt;b&gt;"' in response.text


def test_a_long_note_is_cut_around_its_first_match_at_whole_words(owner_client, owner):
    words = " ".join(f"word{n}" for n in range(200))
    make_checkin(owner, ago(1), notes=words.replace("word100", "Needle") + " needle")
    [(_, _, snippet)] = hits(find(owner_client, "needle").text)
    assert snippet.startswith("… word") and snippet.endswith(" …")
    before, after = snippet.split("<mark>Needle</mark>")
    assert 70 < len(before) <= CONTEXT + 2 and 180 < len(before + "Needle" + after) <= SNIPPET + 4
    assert all(re.fullmatch(r"word\d+", w) for w in before.strip("… ").split() + after.strip("… ").split())
    assert "needle</mark>" not in snippet, "the last match is too far away to be in the snippet"


def test_a_note_near_its_end_shows_more_of_what_comes_before(owner_client, owner):
    words = " ".join(f"word{n}" for n in range(100))
    make_checkin(owner, ago(1), notes=f"{words} needle. {words} needle end.")
    [(_, _, snippet)] = hits(find(owner_client, "end").text)
    assert snippet.startswith("… word") and snippet.endswith("<mark>end</mark>.")
    assert 180 < len(snippet.replace("<mark>", "").replace("</mark>", "")) <= SNIPPET + 2


def test_a_short_note_is_shown_whole(owner_client, owner):
    note = "x" * 150 + " Überstunden " + "y" * 35
    make_checkin(owner, ago(1), notes=note)
    [(_, _, snippet)] = hits(find(owner_client, "überstunden").text)
    assert snippet == "x" * 150 + " <mark>Überstunden</mark> " + "y" * 35


def test_how_often_a_note_holds_the_word_is_shown(owner_client, owner):
    make_checkin(owner, ago(1), notes="late, late, and late again")
    make_checkin(owner, ago(2), notes="late once")
    text = visible_text(find(owner_client, "late").text)
    assert text.count("(3 times)") == 1
    assert "(1 times)" not in text


def test_at_most_100_notes_are_shown_newest_first_with_how_many_were_found(owner_client, owner):
    for months in range(130):
        make_checkin(owner, add_months(this_month(), -months), notes="standup", talking_points="standup")
    response = find(owner_client, "standup")
    found = hits(response.text)
    assert len(found) == MAX_RESULTS == 100
    assert found[0][0] == f"{this_month():%B %Y}"
    assert found[-1][0] == f"{ago(49):%B %Y}"
    assert "“standup” is in 260 notes; here are the newest 100." in visible_text(response.text)


def test_no_match_says_so(owner_client, owner):
    make_checkin(owner, ago(1), notes="All quiet.")
    response = find(owner_client, "mutiny")
    assert response.status_code == 200
    assert "No notes match “mutiny”." in visible_text(response.text)
    assert hits(response.text) == []


def test_without_a_query_the_page_says_what_it_searches(owner_client, owner):
    make_checkin(owner, ago(1), notes="something")
    for response in (owner_client.get(reverse("search")), find(owner_client, "")):
        assert response.status_code == 200
        text = visible_text(response.text)
        assert "Find a word or phrase in everything you wrote" in text
        assert "No notes match" not in text and hits(response.text) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("   ", "Type a word or phrase to search for, not only spaces."),
        ("\t\n", "Type a word or phrase to search for, not only spaces."),
        ("x" * (MAX_QUERY + 1), "Search for at most 100 characters (this is 101)."),
        ("a\x00b", "Null characters are not allowed."),
    ],
)
def test_a_query_that_cant_be_searched_for_is_refused_with_a_message(owner_client, owner, query, message):
    make_checkin(owner, ago(1), notes="x" * 200 + " ab")
    response = find(owner_client, query)
    assert response.status_code == 400
    assert message in visible_text(response.text)
    assert 'aria-invalid="true"' in response.text
    assert hits(response.text) == []


def test_a_query_of_exactly_100_characters_is_searched(owner_client, owner):
    make_checkin(owner, ago(1), notes="x" * 150)
    response = find(owner_client, " " + "x" * MAX_QUERY + " ")
    assert response.status_code == 200
    assert len(hits(response.text)) == 1


def test_searching_takes_the_same_few_queries_however_many_notes_there_are(
    owner_client, owner, django_assert_num_queries
):
    trigger = make_trigger(owner, "Meetings")
    make_checkin(owner, ago(0), notes="sync")
    with django_assert_num_queries(4):  # session, user, ratings' notes, check-ins' notes
        assert len(hits(find(owner_client, "sync").text)) == 1
    for months in range(1, 120):
        make_checkin(owner, ago(months), notes="sync", talking_points="sync")
        rate(owner, ago(months), trigger, "sync")
    with django_assert_num_queries(4):
        assert len(hits(find(owner_client, "sync").text)) == MAX_RESULTS


def test_the_search_page_is_never_kept_by_a_browser_or_proxy(owner_client, owner):
    make_checkin(owner, ago(1), notes="private words")
    response = find(owner_client, "private")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_history_has_a_search_form_that_works_without_javascript(owner_client, owner):
    make_checkin(owner, ago(1))
    text = owner_client.get(reverse("history")).text
    form = search(r'<form [^>]*role="search"[^>]*>.*?</form>', text, re.S).group()
    assert 'method="get"' in form and f'action="{reverse("search")}"' in form
    assert '<label for="id_q">Search notes</label>' in form
    assert 'type="search" name="q"' in form and 'maxlength="100"' in form


def test_search_is_read_only(owner_client):
    assert owner_client.post(reverse("search"), {"q": "x"}).status_code == 405


def test_anonymous_visitor_is_sent_to_log_in_from_search(client):
    response = client.get(reverse("search"), {"q": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
