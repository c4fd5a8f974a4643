"""Search your notes: a word or phrase in the notes on ratings, the private notes and the
talking points of one account, newest month first.

The text is matched in Python, not with the database's LIKE: SQLite folds the case of
ASCII letters only ("Ü" would not find "ü") and PostgreSQL folds it as its locale says, so
the same search would find different notes on each. Python's case-insensitive matching
folds every alphabet one letter at a time, the same whatever the database, and keeps the
match where it is in the note, for the highlight. The database is asked only for the
account's notes that aren't empty: at most MAX_TEXT characters (assessments/models.py),
in two queries however many months they span.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from .models import CheckIn, Rating

MAX_QUERY = 100  # characters: a word or a phrase, never a note pasted in
MAX_RESULTS = 100  # notes shown; the page says how many more were found
SNIPPET = 200  # characters of a note shown, about; a shorter note is shown whole
CONTEXT = 80  # of them before the first match, unless the note ends sooner

PRIVATE_NOTE = "Private note"
TALKING_POINTS = "Talking points"


@dataclass(frozen=True)
class Hit:
    """One note the query was found in."""

    kind: str  # the trigger's title for a note on a rating, else PRIVATE_NOTE or TALKING_POINTS
    anchor: str  # the id of the note's field on the check-in page
    parts: list[tuple[str, bool]]  # the snippet: (text, whether it is a match), in order
    count: int  # how many times the query is in the note


@dataclass
class Month:
    month: date
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class Results:
    query: str
    months: list[Month]  # newest first, holding the first MAX_RESULTS hits
    total: int  # notes the query was found in, shown or not

    @property
    def shown(self) -> int:
        return sum(len(month.hits) for month in self.months)


def pattern(query: str) -> re.Pattern[str]:
    """The query's words in order, in any case, with any whitespace between them (a phrase
    may run over a line break in a note); every other character stands for itself."""
    return re.compile(r"\s+".join(re.escape(word) for word in query.split()), re.IGNORECASE)


def snippet(text: str, found: re.Pattern[str], first: re.Match[str]) -> list[tuple[str, bool]]:
    """The note around its first match, cut at whitespace, every match in it marked."""
    start = max(0, first.start() - CONTEXT)
    end = min(len(text), max(first.end(), start + SNIPPET))
    start = max(0, min(start, end - SNIPPET))  # near the note's end, more of what comes before
    if start > 0 and (space := re.search(r"\s", text[start : first.start()])):
        start += space.end()
    if end < len(text) and (space := re.search(r"\s\S*$", text[first.end() : end])):
        end = first.end() + space.start()
    parts = [("… ", False)] if start > 0 else []
    at = start
    for match in found.finditer(text, start, end):
        parts += [(text[at : match.start()], False), (match.group(), True)]
        at = match.end()
    parts.append((text[at:end], False))
    if end < len(text):
        parts.append((" …", False))
    return [(part, hit) for part, hit in parts if part]


def build(user, query: str) -> Results:
    """Every note of `user` that holds `query` (a cleaned, non-empty SearchForm value),
    grouped by month, newest first; within a month in the check-in page's order."""
    found = pattern(query)
    notes: dict[date, list[tuple[str, str, str]]] = {}
    ratings = (
        Rating.objects.filter(checkin__user=user)
        .exclude(note="")
        .order_by("-checkin__month", "trigger__position", "trigger")
        .values_list("checkin__month", "trigger", "trigger__title", "note")
    )
    for month, trigger, title, note in ratings:
        notes.setdefault(month, []).append((title, f"trigger-{trigger}", note))
    checkins = (
        CheckIn.objects.filter(user=user)
        .exclude(notes="", talking_points="")
        .values_list("month", "notes", "talking_points")
    )
    for month, private, talking in checkins:
        notes.setdefault(month, []).extend(
            [(PRIVATE_NOTE, "notes", private), (TALKING_POINTS, "talking_points", talking)]
        )

    months: list[Month] = []
    total = 0
    for month in sorted(notes, reverse=True):
        for kind, anchor, text in notes[month]:
            first = found.search(text)
            if first is None:
                continue
            total += 1
            if total > MAX_RESULTS:
                continue  # counted, not shown
            if not months or months[-1].month != month:
                months.append(Month(month))
            count = sum(1 for _ in found.finditer(text))
            months[-1].hits.append(Hit(kind, anchor, snippet(text, found, first), count))
    return Results(query=query, months=months, total=total)
