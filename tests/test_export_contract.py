"""The export's contract, for any choices and any small history: the Markdown, the printable
page, a shared link's page and the CSV share exactly the facts of the preview, and nothing
hidden, no "theme only" title or note and no private note is anywhere. A shared link keeps
its facts when the data changes afterwards.

A fact is a level of a trigger in a month, its note, a theme's count in a month, a month's
scores and hours, its talking points, and the summary's counts and changes. Each format is
read back into facts its own way: the preview, the printable page and the shared page from
the handout's HTML (its letters checked against its words and colours), the Markdown through
a CommonMark parser (so escaping is checked too), the CSV from its rows.
"""

import csv
import io
import re
from collections import Counter
from datetime import date, datetime
from html import unescape
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from assessments.models import CheckIn, Level, Rating, SharedLink, Trigger, add_months, this_month
from assessments.views import NEW_LINK

from .factories import make_user
from .helpers import client_for, search

# Characters that mean something to Markdown or HTML, and line breaks. No ";" or ": ":
# the summary joins titles with "; ", and a line puts ": " after the title.
ALPHABET = "ab1 *_[]()<>#|`!\\&-+=.~\n"
# "" is counted as "General"; Culture comes up most, so Theme only often has company.
THEMES = ["Culture", "Culture", "Culture", "Team", "R&D <i>x</i> | `y`", ""]
# None: left to the default (private ones hidden). Show and Theme only are drawn more often.
CHOICES = ["show", "show", "theme", "theme", "hide", None]
# Every generated text starts with a marker: a letter, "ø" and a number, which no escaping
# changes and no nonce, hash or base64 in a page can contain by chance.
MARKER = re.compile(r"[TNPS]ø\d+(?:m\d+)?ø")

words = st.text(alphabet=ALPHABET, max_size=14)


def visibility(spec: dict) -> str:
    return spec["choice"] or ("hide" if spec["private"] else "show")


@st.composite
def scenarios(draw) -> dict:
    triggers = [
        {
            "title": f"Tø{i}ø {draw(words)}",
            "theme": draw(st.sampled_from(THEMES)),
            "private": draw(st.booleans()),
            "choice": draw(st.sampled_from(CHOICES)),
        }
        for i in range(draw(st.integers(min_value=2, max_value=6)))
    ]
    if draw(st.booleans()):  # as a person would after a refusal: a lone "theme only" one shown
        themes = Counter(t["theme"] for t in triggers if visibility(t) == "theme")
        for t in triggers:
            if visibility(t) == "theme" and themes[t["theme"]] == 1:
                t["choice"] = "show"
    checkins = {}
    for ago in range(4):
        # Hypothesis starts from the smallest numbers: 0 is the common case, a month checked in.
        if draw(st.integers(0, 3)) == 3:  # a missed month
            continue
        rated = [i for i in range(len(triggers)) if draw(st.integers(0, 9)) != 9]  # most are rated
        checkins[ago] = {
            "wellbeing": draw(st.integers(1, 5) | st.none()),
            "satisfaction": draw(st.integers(1, 5) | st.none()),
            "energy": draw(st.integers(1, 5) | st.none()),
            "hours": draw(st.integers(0, 100) | st.none()),
            "talking_points": draw(st.sampled_from([f"Pø{ago}ø {draw(words)}", ""])),
            "notes": f"Sø{ago}ø private notes",
            "ratings": {
                i: (draw(st.integers(0, 3)), draw(st.sampled_from([f"Nø{i}m{ago}ø {draw(words)}", ""])))
                for i in rated
            },
        }
    start = draw(st.sampled_from([3, 2, 2, 1, 0]))  # mostly a period of several months
    return {
        "triggers": triggers,
        "checkins": checkins,
        "start": start,
        "end": draw(st.sampled_from([0, 0, start])),
        "includes": {name: not draw(st.booleans()) for name in ("talking_points", "notes", "scores")},
    }


def squash(text: str) -> str:
    return " ".join(text.split())


def norm(html: str) -> str:
    """HTML's text, its spaces and line breaks as one space each."""
    return squash(unescape(html))


def strip_tags(html: str) -> str:
    return norm(re.sub(r"<[^>]+>", "", html))


def month_name(iso: str) -> str:
    return f"{date.fromisoformat(iso[:10]):%B %Y}"


# Reading each format back into facts ---------------------------------------------------


def summary_facts(together: str, changes: list[str]) -> set:
    facts: set[tuple[str | None, ...]] = set()
    match = re.search(
        r"together in the latest check-in: (\d+)(?: \(previous period, .*?: (\d+)\))?", together
    )
    if match:
        facts.add(("together", match.group(1), match.group(2)))
    for item in changes:
        kind, _, labels = item.partition(": ")
        if kind in ("New", "Worse", "Better", "Resolved"):
            facts |= {("change", kind, squash(label)) for label in labels.split(";")}
        else:
            facts.add(("change", item))
    return facts


def scores_fact(month: str, text: str) -> tuple:
    match = re.fullmatch(
        r"Wellbeing (\S+)/5 · Job satisfaction (\S+)/5 · Energy (\S+)/5(?: · (\d+) hours a week)?", text
    )
    assert match, text
    return ("scores", month, *(value if value not in (None, "–") else "" for value in match.groups()))


def line_facts(month: str, title: str, level: str, note: str) -> set:
    facts = {("level", month, title, level)}
    return facts | {("note", month, title, note)} if note else facts


def count_fact(month: str, theme: str, count: str) -> tuple:
    return ("count", month, theme, int(count))


def markdown_facts(text: str) -> set:
    """Facts of Markdown, as a CommonMark viewer shows it; nothing but our own structure."""
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    for tag in ("<a ", "<img", "<table", "<h3", "<code", "<em>", "<del", "<blockquote", "<ol", "<hr", "<pre"):
        assert tag not in html, (tag, text)
    assert html.count("<h1>") == 1
    facts = set()
    for section in re.split(r"(?=<h2>)", html)[1:]:
        heading = strip_tags(search(r"^<h2>(.*?)</h2>", section).group(1))
        items = [strip_tags(li) for li in re.findall(r"<li>(.*?)</li>", section, re.S)]
        paragraphs = [strip_tags(p) for p in re.findall(r"<p>(.*?)</p>", section, re.S)]
        if heading == "Summary":
            facts |= summary_facts(items[0] if items else "", items[1:])
            continue
        for item in items:
            if counted := re.fullmatch(r"(\d+) (.*) triggers? turning up", item):
                facts.add(count_fact(heading, counted.group(2), counted.group(1)))
            elif item != "Nothing shared for this month.":
                line, _, note = item.partition(" — ")
                title, level = line.rsplit(": ", 1)
                facts |= line_facts(heading, title, level, note)
        if paragraphs and paragraphs[0].startswith("Wellbeing "):
            facts.add(scores_fact(heading, paragraphs.pop(0)))
        if paragraphs[:1] == ["Talking points:"]:
            facts.add(("talking", heading, " ".join(paragraphs[1:])))
        assert not paragraphs or paragraphs[0] == "Talking points:", paragraphs
    return facts


LETTERS = {"–": Level.NOT_PRESENT, "F": Level.FAINT, "C": Level.CLEAR, "S": Level.STRONG}


def handout_facts(html: str) -> set:
    """Facts of the handout (the preview, the printable page, a shared link's page)."""
    part = search(r'<div class="handout">(.*?)\n</div>', html, re.S).group(1)
    facts = set()
    if together := re.search(r'<p class="together">(.*?)</p>', part, re.S):
        changes = search(r'<ul class="changes">(.*?)</ul>', part, re.S).group(1)
        facts |= summary_facts(
            strip_tags(together.group(1)),
            [strip_tags(li) for li in re.findall(r"<li>(.*?)</li>", changes, re.S)],
        )
    for month, points in re.findall(r'<dt>(.*?)</dt><dd class="pre">(.*?)</dd>', part, re.S):
        facts.add(("talking", norm(month), norm(points)))
    for table in re.findall(r'<table class="handout-heatmap">(.*?)</table>', part, re.S):
        months = [
            f"{datetime.strptime(strip_tags(th), '%b %Y'):%B %Y}"
            for th in re.findall(r'<th scope="col" class="month">(.*?)</th>', table, re.S)
        ]
        bodies = dict(re.findall(r'<tbody class="([\w-]+)">(.*?)</tbody>', table, re.S))
        scores: dict[Any, Any] = {}
        for kind, body in bodies.items():
            for label, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', body, re.S):
                cells = re.findall(r"<td([^>]*)>(.*?)</td>", cells, re.S)
                assert len(cells) == len(months), (label, cells)
                for month, (attributes, cell) in zip(months, cells, strict=True):
                    if kind == "trigger-rows":
                        facts |= level_fact(month, norm(label), attributes, cell)
                    elif kind == "counts" and cell:
                        facts.add(count_fact(month, norm(label).removesuffix(" (theme only)"), cell))
                    elif kind == "scores":
                        scores.setdefault(month, []).append(norm(cell))
        facts |= {("scores", month, *values) for month, values in scores.items()}
    for month, items in re.findall(
        r'<div class="note-month">\s*<h\d>(.*?)</h\d>\s*<ul>(.*?)</ul>', part, re.S
    ):
        for level, label, note in re.findall(
            r'<li><span class="level">(.*?)</span> · <span class="label">(.*?)</span> — '
            r'<span class="text">(.*?)</span></li>',
            items,
            re.S,
        ):
            facts |= line_facts(norm(month), norm(label), level, norm(note))
    return facts


def level_fact(month: str, title: str, attributes: str, cell: str) -> set:
    """A trigger's cell: its letter, its colour and its words must say the same level."""
    if cell == '<span class="visually-hidden">Not rated</span>':
        assert attributes == ' class="lv"', attributes
        return set()
    letter, name = search(
        r'^<span aria-hidden="true">(.*?)</span><span class="visually-hidden">(.*?)</span>$', cell
    ).groups()
    level = LETTERS[letter]
    assert name == level.label and attributes == f' class="lv lv-{level.value}"', (attributes, cell)
    return {("level", month, title, name)}


def csv_facts(text: str) -> set:
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    facts = set()
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        month = month_name(cells["month"] + "-01")
        label = squash(cells["trigger"])
        if label.endswith(" (theme only)"):
            assert cells["level"] == cells["level_name"] == cells["note"] == ""
            facts.add(
                count_fact(month, label.removesuffix(" (theme only)"), cells["theme_triggers_turning_up"])
            )
        elif label:
            assert cells["theme_triggers_turning_up"] == ""
            facts |= line_facts(month, label, cells["level_name"], squash(cells["note"]))
        if "wellbeing" in cells:
            scores = [cells[name] for name in ("wellbeing", "job_satisfaction", "energy", "weekly_hours")]
            facts.add(("scores", month, *scores))
        if cells.get("talking_points"):
            facts.add(("talking", month, squash(cells["talking_points"])))
    return facts


# The property ------------------------------------------------------------------------------


def make_history(scenario: dict):
    user = make_user("contract", default_checklist=False)
    triggers = [
        Trigger.objects.add(user=user, title=t["title"], theme=t["theme"], private=t["private"])
        for t in scenario["triggers"]
    ]
    for ago, c in scenario["checkins"].items():
        fields = {k: v for k, v in c.items() if k != "ratings"}
        checkin = CheckIn.objects.create(user=user, month=add_months(this_month(), -ago), **fields)
        for i, (level, note) in c["ratings"].items():
            Rating.objects.create(checkin=checkin, trigger=triggers[i], level=level, note=note)
    return user, triggers


def form_data(scenario: dict, triggers: list[Trigger]) -> dict:
    data = {
        "start": f"{add_months(this_month(), -scenario['start']):%Y-%m}",
        "end": f"{add_months(this_month(), -scenario['end']):%Y-%m}",
    }
    data |= {name: "on" for name, on in scenario["includes"].items() if on}
    for spec, trigger in zip(scenario["triggers"], triggers, strict=True):
        if spec["choice"]:
            data[f"t_{trigger.pk}"] = spec["choice"]
    return data


def expect_refusal(scenario: dict) -> bool:
    """The rule, said again independently: a theme's count must come from at least two
    "theme only" triggers, and from two in every month of the period that rates any."""
    themed = {
        i: t["theme"] or "General" for i, t in enumerate(scenario["triggers"]) if visibility(t) == "theme"
    }
    if any(n < 2 for n in Counter(themed.values()).values()):
        return True
    for ago, checkin in scenario["checkins"].items():
        if scenario["end"] <= ago <= scenario["start"]:
            rated = Counter(themed[i] for i in checkin["ratings"] if i in themed)
            if 1 in rated.values():
                return True
    return False


def never_shared(scenario: dict) -> list[str]:
    """Markers of hidden and "theme only" triggers' titles and notes, and of private notes."""
    secret = {i for i, t in enumerate(scenario["triggers"]) if visibility(t) != "show"}
    markers = [f"Tø{i}ø" for i in secret]
    for ago, checkin in scenario["checkins"].items():
        markers.append(f"Sø{ago}ø")
        markers += [f"Nø{i}m{ago}ø" for i in checkin["ratings"] if i in secret]
        if not scenario["includes"]["notes"]:
            markers += [f"Nø{i}m{ago}ø" for i in checkin["ratings"]]
    return markers


def link_for(client, data: dict) -> str | None:
    """The address of a link made with these choices; None when they were refused."""
    response = client.post(reverse("link_create"), data | {"days": "7"})
    if response.status_code != 302:
        assert response.status_code == 400
        return None
    return client.session[NEW_LINK]


def opened(address: str) -> str:
    """A shared link's page, as someone logged out opens it."""
    response = Client().get(address)
    assert response.status_code == 200
    return response.text


def change_everything(user) -> None:
    """What a person may do after making a link: every title, level, note, score and point,
    and a check-in for a month that had none."""
    for trigger in Trigger.objects.filter(user=user):
        trigger.title = f"{trigger.title} renamed"
        trigger.save()
    Rating.objects.filter(checkin__user=user).update(level=3, note="later")
    CheckIn.objects.filter(user=user).update(wellbeing=1, hours=99, talking_points="later")
    for ago in range(4):
        CheckIn.objects.get_or_create(user=user, month=add_months(this_month(), -ago))


@given(scenario=scenarios())
def test_every_format_shares_exactly_the_facts_of_the_preview(db, scenario):
    with transaction.atomic():
        user, triggers = make_history(scenario)
        client = client_for(user)
        data = form_data(scenario, triggers)
        page = client.get(reverse("export"), data)
        preview_html = search(r'<section id="preview".*?</section>', page.text, re.S).group(0)
        downloads = {
            fmt: client.post(reverse("export_download", args=[fmt]), data)
            for fmt in ("markdown", "print", "csv")
        }
        address = link_for(client, data)

        if expect_refusal(scenario):
            event("refused")
            assert page.status_code == 400
            assert "“Theme only” needs at least two triggers of a theme" in unescape(preview_html)
            assert not MARKER.search(preview_html)  # no title, not even a private one's
            for response in downloads.values():
                assert response.status_code == 400
                assert "Content-Disposition" not in response
            assert address is None
            assert not SharedLink.objects.filter(user=user).exists()
        else:
            assert page.status_code == 200
            assert address, "made, since the choices were taken"
            source = unescape(
                search(r'<textarea id="markdown-source"[^>]*>(.*?)</textarea>', preview_html, re.S).group(1)
            )
            markdown = downloads["markdown"].content.decode()
            printable = downloads["print"].content.decode()
            table = downloads["csv"].content.decode("utf-8-sig")
            for fmt, response in downloads.items():
                assert response.status_code == 200, fmt
            shared = opened(address)
            for text in (preview_html, markdown, printable, table, shared):
                for marker in never_shared(scenario):
                    assert marker not in text

            shown = handout_facts(preview_html)
            event(f"facts shared: {min(len(shown) // 10 * 10, 30)}+")
            assert source.strip() == markdown.strip()  # the Markdown to copy is the download
            assert markdown_facts(markdown) == shown
            assert handout_facts(printable) == shown
            assert csv_facts(table) == {fact for fact in shown if fact[0] not in ("together", "change")}
            assert handout_facts(shared) == shown

            change_everything(user)
            assert handout_facts(opened(address)) == shown  # a snapshot: later data changes nothing
        transaction.set_rollback(True)
