"""The 1:1 export: what the person chose to share, and nothing else.

Every format (preview, Markdown, printable page, CSV) is drawn from one `Export`, which
holds only shared facts: hidden triggers never enter it; "theme only" triggers enter as a
count per theme, never with their titles, levels or notes; scores and talking points enter
only when included; private notes are never read at all. `build` refuses choices whose
counts would still tell which trigger they are about.
"""

import csv
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from .models import (
    FIRST_MONTH,
    SCORE_FIELDS,
    CheckIn,
    Level,
    Rating,
    Trigger,
    UserSettings,
    add_months,
    months_in,
    this_month,
)

SHOW, THEME, HIDE = "show", "theme", "hide"
VISIBILITY = [(SHOW, "Show"), (THEME, "Theme only"), (HIDE, "Hide")]
INCLUDES = {"talking_points": True, "notes": False, "scores": True}
SCORES = [*SCORE_FIELDS, "hours"]
CHANGE = 0.5  # how far a mean level must move to count as worse or better
# A theme's count says which trigger turned up unless at least this many share it.
THEME_ONLY_AT_LEAST = 2
# The longest period a page exports: every note of every month in it goes on the page.
MAX_MONTHS = 12


def period_problem(start: date, end: date, *, longest: int | None = MAX_MONTHS) -> str:
    """What is wrong with the period from `start` to `end` (months), or ""."""
    if start > end:
        return "The period must start before it ends."
    if start < FIRST_MONTH:
        return f"The period can’t start before {FIRST_MONTH:%B %Y}."
    if end > this_month():
        return "The period can’t end in the future."
    if longest and months_in(start, end) > longest:
        return f"An export covers at most {longest} months: choose a shorter period."
    return ""


class MonthField(forms.DateField):
    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month", "min": f"{FIRST_MONTH:%Y-%m}"}, format="%Y-%m")

    def to_python(self, value):
        day = super().to_python(value)
        return day and day.replace(day=1)


class VisibilityForm(forms.Form):
    """Show, Theme only or Hide for each trigger, starting from the saved choices."""

    def __init__(self, data, *, triggers: list[Trigger], saved: dict):
        super().__init__(data)
        self.triggers = triggers
        self.initial = {key: value for key, value in saved.items() if key != "visibility"}
        for trigger in triggers:
            name = f"t_{trigger.pk}"
            # Not required: a trigger left out keeps its saved (or default) choice.
            self.fields[name] = forms.ChoiceField(
                label=trigger.title, choices=VISIBILITY, widget=forms.RadioSelect, required=False
            )
            self.initial[name] = saved["visibility"][str(trigger.pk)]

    def visibility(self) -> dict[str, str]:
        """The cleaned choices, or the initial ones when nothing was sent."""
        values = self.cleaned_data if self.is_bound else self.initial
        return {str(t.pk): values[f"t_{t.pk}"] or self.initial[f"t_{t.pk}"] for t in self.triggers}

    def trigger_fields(self):
        """(trigger, its choice) pairs: the page shows each one's theme and privacy beside it."""
        return [(trigger, self[f"t_{trigger.pk}"]) for trigger in self.triggers]


class ExportForm(VisibilityForm):
    start = MonthField(label="From")
    end = MonthField(label="To")
    talking_points = forms.BooleanField(label="Talking points", required=False)
    notes = forms.BooleanField(label="Notes on shown triggers", required=False)
    scores = forms.BooleanField(label="Wellbeing, satisfaction, energy and weekly hours", required=False)

    def __init__(self, data, *, triggers: list[Trigger], saved: dict):
        # Unbound until the person has chosen something: then the saved choices apply.
        super().__init__(data if data and "start" in data else None, triggers=triggers, saved=saved)
        for name in ("start", "end"):
            self.fields[name].widget.attrs["max"] = f"{this_month():%Y-%m}"

    def clean(self):
        super().clean()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        problem = start and end and period_problem(start, end)
        if problem:
            raise forms.ValidationError(problem)
        return self.cleaned_data

    def choices(self) -> dict:
        """The cleaned choices, or the initial ones when nothing was sent."""
        values = self.cleaned_data if self.is_bound else self.initial
        return {
            "start": values["start"],
            "end": values["end"],
            **{name: values[name] for name in INCLUDES},
            "visibility": self.visibility(),
        }


class Refused(forms.ValidationError):
    """Choices whose export would say more than the person chose to share."""


def theme_of(trigger: Trigger) -> str:
    return trigger.theme or "General"


def default_period(user) -> tuple[date, date]:
    """The last three months that have check-ins (this month when there are none), within
    the longest period an export covers."""
    months = list(CheckIn.objects.filter(user=user).order_by("-month").values_list("month", flat=True)[:3])
    if not months:
        return this_month(), this_month()
    return max(months[-1], add_months(months[0], 1 - MAX_MONTHS)), months[0]


def saved_choices(user, triggers: list[Trigger]) -> dict:
    """Last time's choices for the default period; private triggers start hidden."""
    saved = UserSettings.of(user).export_choices
    start, end = default_period(user)
    visibility = saved.get("visibility", {})
    return {
        "start": start,
        "end": end,
        **{name: saved.get(name, default) for name, default in INCLUDES.items()},
        "visibility": {str(t.pk): visibility.get(str(t.pk), HIDE if t.private else SHOW) for t in triggers},
    }


def remember(user, choices: dict) -> None:
    """Keep the visibility and includes (not the period) for next time."""
    user_settings = UserSettings.of(user)
    user_settings.export_choices = {
        key: value for key, value in choices.items() if key not in ("start", "end")
    }
    user_settings.save(update_fields=["export_choices"])


@dataclass
class Line:
    label: str  # a shown trigger's title
    level: int
    note: str = ""

    @property
    def level_name(self) -> str:
        return Level(self.level).label


@dataclass
class Month:
    """One check-in, holding only what is shared: scores and talking points stay None and
    empty unless included."""

    month: date
    wellbeing: int | None = None
    satisfaction: int | None = None
    energy: int | None = None
    hours: int | None = None
    talking_points: str = ""
    lines: list[Line] = field(default_factory=list)  # shown triggers
    themes: list[tuple[str, int]] = field(default_factory=list)  # (theme, its "theme only" ones turning up)
    turning_up: int = 0

    @property
    def score_line(self) -> str:
        text = " · ".join(
            f"{name} {value or '–'}/5"
            for name, value in [
                ("Wellbeing", self.wellbeing),
                ("Job satisfaction", self.satisfaction),
                ("Energy", self.energy),
            ]
        )
        return text if self.hours is None else f"{text} · {self.hours} hours a week"

    @property
    def noted(self) -> list[Line]:
        return [line for line in self.lines if line.note]


@dataclass
class Export:
    start: date
    end: date
    previous: tuple[date, date]
    scores: bool
    talking_points: bool
    months: list[Month]
    together_now: int | None
    together_before: int | None
    changes: dict[str, list[str]]
    turn_up_level: int

    @property
    def unchanged(self) -> bool:
        return not any(self.changes.values())

    @property
    def talking(self) -> list[Month]:
        """The months with talking points, newest first."""
        return [month for month in self.months if month.talking_points]

    @property
    def noted(self) -> list[Month]:
        """The months where a shown trigger has a note, newest first."""
        return [month for month in self.months if month.noted]

    def snapshot(self) -> dict:
        """The export as JSON, to be shown later exactly as it is now (a shared link keeps it).
        Old snapshots stay readable as long as a field added to these classes has a default."""
        return json.loads(json.dumps(asdict(self), cls=DjangoJSONEncoder))

    @classmethod
    def from_snapshot(cls, data: dict) -> "Export":
        day = date.fromisoformat
        months = [
            Month(
                **month
                | {
                    "month": day(month["month"]),
                    "lines": [Line(**line) for line in month["lines"]],
                    "themes": [tuple(theme) for theme in month["themes"]],
                }
            )
            for month in data["months"]
        ]
        return cls(
            **data
            | {
                "start": day(data["start"]),
                "end": day(data["end"]),
                "previous": tuple(day(each) for each in data["previous"]),
                "months": months,
            }
        )


def build(user, choices: dict) -> Export:
    """Gather what is shared for the chosen period and the same length before it.

    Raises `Refused` when a theme's count would tell which "theme only" trigger it is.
    """
    start, end = choices["start"], choices["end"]
    length = months_in(start, end)
    before_start, before_end = add_months(start, -length), add_months(start, -1)
    turn_up_level = UserSettings.of(user).turn_up_level
    chosen = choices["visibility"]
    triggers = list(Trigger.objects.filter(user=user))
    # A trigger added since the choices were made gets the default: private ones hidden.
    visibility = {t.pk: chosen.get(str(t.pk), HIDE if t.private else SHOW) for t in triggers}
    shown = {t.pk: t for t in triggers if visibility[t.pk] == SHOW}
    themed = {t.pk: theme_of(t) for t in triggers if visibility[t.pk] == THEME}

    fields = ["month"]
    fields += SCORES if choices["scores"] else []
    fields += ["talking_points"] if choices["talking_points"] else []
    months = {
        row.pop("pk"): Month(**row)
        for row in CheckIn.objects.filter(user=user, month__gte=before_start, month__lte=end)
        .order_by("month")
        .values("pk", *fields)
    }
    ratings = Rating.objects.filter(checkin__in=months, trigger__in=[*shown, *themed]).values_list(
        "checkin_id", "trigger_id", "level", "note"
    )

    # shown trigger → (levels before, levels now)
    levels: defaultdict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    # (month, theme) → its "theme only" triggers rated then
    rated: defaultdict[tuple[date, str], set[int]] = defaultdict(set)
    # now? → theme → its ones turning up
    up: dict[bool, defaultdict[str, set[int]]] = {False: defaultdict(set), True: defaultdict(set)}
    # check-in → theme → how many of its "theme only" ones turn up
    counts: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for checkin_id, trigger_id, level, note in ratings:
        month = months[checkin_id]
        now = month.month >= start
        month.turning_up += level >= turn_up_level
        if trigger_id in shown:
            levels[trigger_id][now].append(level)
            month.lines.append(Line(shown[trigger_id].title, level, note if choices["notes"] else ""))
        else:
            theme = themed[trigger_id]
            rated[month.month, theme].add(trigger_id)
            if level >= turn_up_level:
                up[now][theme].add(trigger_id)
                counts[checkin_id][theme] += 1

    alone = refuse_telling_counts(themed, rated, start)
    for checkin_id, month in months.items():
        month.lines.sort(key=lambda line: (-line.level, line.label))
        month.themes = sorted(counts[checkin_id].items())
    now = [m for m in months.values() if m.month >= start]
    before = [m for m in months.values() if m.month < start]
    # The previous period isn't shown, so a theme with a lone month there is left out of
    # "what changed" rather than refused.
    compared = {theme for theme in themed.values() if theme not in alone}
    rated_now = {theme for (month, theme) in rated if month >= start}
    return Export(
        start=start,
        end=end,
        previous=(before_start, before_end),
        scores=choices["scores"],
        talking_points=choices["talking_points"],
        months=list(reversed(now)),
        together_now=now[-1].turning_up if now else None,
        together_before=before[-1].turning_up if before else None,
        changes=what_changed(levels, shown, turn_up_level, up, compared & rated_now),
        turn_up_level=turn_up_level,
    )


def refuse_telling_counts(themed: dict[int, str], rated: dict, start: date) -> dict[str, list[date]]:
    """Raise `Refused` when a theme's count would tell which "theme only" trigger it is
    about: a theme with only one trigger on Theme only, or a month from `start` on in which
    only one of them was rated. `themed` is {trigger: its theme}, for those on Theme only;
    `rated` is {(month, theme): its "theme only" triggers rated that month}. Returns the
    months before `start` where one was rated alone, by theme."""
    lone = sorted(theme for theme, n in Counter(themed.values()).items() if n < THEME_ONLY_AT_LEAST)
    alone = defaultdict(list)  # theme → months where only one of its "theme only" ones was rated
    for (month, theme), pks in rated.items():
        if len(pks) < THEME_ONLY_AT_LEAST:
            alone[theme].append(month)
    refusals = [_lone_theme(theme) for theme in lone]
    refusals += [
        _alone_in(theme, min(m for m in dates if m >= start))
        for theme, dates in sorted(alone.items())
        if theme not in lone and max(dates) >= start
    ]
    if refusals:
        raise Refused(refusals)
    return alone


def _lone_theme(theme: str) -> str:
    # Names the theme, never the trigger: the message may be on screen beside the manager.
    return (
        f"“Theme only” needs at least two triggers of a theme, or its count tells which one it is: "
        f"only one “{theme}” trigger is on Theme only. Choose Show or Hide for it, or put another "
        f"“{theme}” trigger on Theme only."
    )


def _alone_in(theme: str, month: date) -> str:
    return (
        f"“Theme only” needs at least two triggers of a theme rated in each month: in {month:%B %Y} "
        f"only one “{theme}” trigger on Theme only was rated. Rate another of them for that month, "
        f"choose another period, or choose Show or Hide instead."
    )


def _turning_up(theme: str, n: int) -> str:
    return f"{theme}: {n or 'no'} trigger{'' if n == 1 else 's'} turning up"


def what_changed(levels, shown, turn_up_level, up, themes) -> dict[str, list[str]]:
    """New, worse, better and resolved, from an earlier period to a later one: shown triggers
    by title; "theme only" ones as their theme's count, never one by one. `levels` is {shown
    trigger: (its levels before, its levels now)}, `up` {now?: {theme: its "theme only" ones
    turning up}}, `themes` those to compare."""
    changes: dict[str, list[str]] = {"new": [], "worse": [], "better": [], "resolved": []}
    for trigger_id, (before, now) in levels.items():
        up_now = bool(now) and max(now) >= turn_up_level
        up_before = bool(before) and max(before) >= turn_up_level
        title = shown[trigger_id].title
        if up_now and not up_before:
            changes["new"].append(title)
        elif up_before and now and not up_now:
            changes["resolved"].append(title)
        elif up_now and up_before:
            shift = sum(now) / len(now) - sum(before) / len(before)
            if shift >= CHANGE:
                changes["worse"].append(title)
            elif shift <= -CHANGE:
                changes["better"].append(title)
    for theme in themes:
        n, was = len(up[True][theme]), len(up[False][theme])
        if n and not was:
            changes["new"].append(_turning_up(theme, n))
        elif n > was:
            changes["worse"].append(f"{_turning_up(theme, n)}, up from {was}")
        elif n < was:
            changes["better" if n else "resolved"].append(f"{_turning_up(theme, n)}, down from {was}")
    return {kind: sorted(labels) for kind, labels in changes.items()}


def markdown(export: Export) -> str:
    return render_to_string("exports/summary.md", {"export": export})


# Markdown viewers read more than text: these keep a person's words as the words they wrote.
# Code, emphasis, links, images, HTML, tables: each such character gets a backslash. The
# backslash comes first, so the ones added after it stay single.
_MARKUP = "\\`*_[]<>|~"
_ENTITY = re.compile(r"&(?=#?\w+;)")  # "&amp;" stays five characters, not "&"
_BLOCK_MARK = re.compile(r"^([#+=-])")  # headings, lists, setext underlines
_ORDERED = re.compile(r"^(\d+)([.)])")  # "1. " or "1) " starts a numbered list


def _escape_line(line: str) -> str:
    # Leading spaces go: four of them would start a code block.
    line = line.strip()
    for char in _MARKUP:  # str.replace is many times faster than a regular expression here
        line = line.replace(char, "\\" + char)
    line = _ENTITY.sub(r"\\&", line)
    return _ORDERED.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", line))


def markdown_inline(text: str) -> str:
    """Text for one line of Markdown (a title, a theme, a note): line breaks become spaces,
    so nothing can start a block of its own."""
    return _escape_line(" ".join(str(text).split()))


def markdown_block(text: str) -> str:
    """Text of several lines (talking points): each line kept with a hard line break, blank
    lines as paragraph breaks, none of them able to start a heading, list, quote or table."""
    paragraphs = re.split(r"\n\s*\n", str(text).strip())
    return "\n\n".join(
        "\\\n".join(_escape_line(line) for line in paragraph.splitlines() if line.strip())
        for paragraph in paragraphs
    )


def csv_text(export: Export) -> str:
    """One row per month and shown trigger or theme, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["month", "trigger", "level", "level_name", "note", "theme_triggers_turning_up"]
    if export.scores:
        header += ["wellbeing", "job_satisfaction", "energy", "weekly_hours"]
    if export.talking_points:
        header.append("talking_points")
    writer.writerow(header)
    for month in reversed(export.months):
        rows: list[tuple[str, int | str, str, str, int | str]] = [
            (line.label, line.level, line.level_name, line.note, "") for line in month.lines
        ]
        # A theme's row has its count and nothing of any one trigger: no level, no note.
        rows += [(f"{theme} (theme only)", "", "", "", count) for theme, count in month.themes]
        for row in rows or [("", "", "", "", "")]:
            cells: list[object] = [f"{month.month:%Y-%m}", *row]
            if export.scores:
                cells += [month.wellbeing, month.satisfaction, month.energy, month.hours]
            if export.talking_points:
                cells.append(month.talking_points)
            writer.writerow([neutralise(cell) for cell in cells])
    return out.getvalue()


def neutralise(value) -> str:
    """Keep a spreadsheet from reading a cell as a formula (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
