"""The 1:1 export: what the person chose to share, and nothing else.

Every format (preview, Markdown, printable page, CSV) is drawn from one `Export`, which
holds only shared material: hidden triggers never enter it, "theme only" triggers enter
without their titles or notes, and private notes are never read at all.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.template.loader import render_to_string

from .models import LEVEL_NAMES, CheckIn, Rating, Trigger, UserSettings, add_months, this_month

SHOW, THEME, HIDE = "show", "theme", "hide"
VISIBILITY = [(SHOW, "Show"), (THEME, "Theme only"), (HIDE, "Hide")]
INCLUDES = {"talking_points": True, "notes": False, "scores": True}
CHANGE = 0.5  # how far a mean level must move to count as worse or better


class MonthField(forms.DateField):
    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def to_python(self, value):
        day = super().to_python(value)
        return day and day.replace(day=1)


class ExportForm(forms.Form):
    start = MonthField(label="From")
    end = MonthField(label="To")
    talking_points = forms.BooleanField(label="Talking points", required=False)
    notes = forms.BooleanField(label="Notes on shown triggers", required=False)
    scores = forms.BooleanField(label="Wellbeing, satisfaction and energy", required=False)

    def __init__(self, data, *, triggers: list[Trigger], saved: dict):
        # Unbound until the person has chosen something: then the saved choices apply.
        super().__init__(data if data and "start" in data else None)
        self.triggers = triggers
        self.initial = {key: value for key, value in saved.items() if key != "visibility"}
        for trigger in triggers:
            name = f"t_{trigger.pk}"
            # Not required: a trigger left out keeps its saved (or default) choice.
            self.fields[name] = forms.ChoiceField(
                label=trigger.title, choices=VISIBILITY, widget=forms.RadioSelect, required=False
            )
            self.initial[name] = saved["visibility"][str(trigger.pk)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError("The period must start before it ends.")
            if end > this_month():
                raise forms.ValidationError("The period can’t end in the future.")
        return cleaned

    def choices(self) -> dict:
        """The cleaned choices, or the initial ones when nothing was sent."""
        values = self.cleaned_data if self.is_bound else self.initial
        return {
            "start": values["start"],
            "end": values["end"],
            **{name: values[name] for name in INCLUDES},
            "visibility": {
                str(t.pk): values[f"t_{t.pk}"] or self.initial[f"t_{t.pk}"] for t in self.triggers
            },
        }

    def trigger_fields(self):
        return [self[f"t_{trigger.pk}"] for trigger in self.triggers]


def default_period(user) -> tuple[date, date]:
    """The last three months that have check-ins (this month when there are none)."""
    months = list(CheckIn.objects.filter(user=user).order_by("-month").values_list("month", flat=True)[:3])
    return (months[-1], months[0]) if months else (this_month(), this_month())


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
    prefs = UserSettings.of(user)
    prefs.export_choices = {key: value for key, value in choices.items() if key not in ("start", "end")}
    prefs.save(update_fields=["export_choices"])


@dataclass
class Line:
    label: str  # a title, or a theme for "theme only" triggers
    level: int
    note: str = ""

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


@dataclass
class Month:
    checkin: CheckIn
    lines: list[Line] = field(default_factory=list)  # shown triggers
    theme_lines: list[Line] = field(default_factory=list)  # "theme only" ones, labelled by theme
    turning_up: int = 0
    threshold: int = 2

    @property
    def themes(self) -> list[tuple[str, int]]:
        """(theme, how many of its "theme only" triggers turn up), for the summary."""
        counts = defaultdict(int)
        for line in self.theme_lines:
            counts[line.label] += line.level >= self.threshold
        return sorted((theme, n) for theme, n in counts.items() if n)


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
    threshold: int


def build(user, choices: dict) -> Export:
    """Gather what is shared for the chosen period and the same length before it."""
    start, end = choices["start"], choices["end"]
    length = (end.year - start.year) * 12 + end.month - start.month + 1
    before_start, before_end = add_months(start, -length), add_months(start, -1)
    threshold = UserSettings.of(user).turn_up_level
    chosen = choices["visibility"]
    triggers = list(Trigger.objects.filter(user=user))
    # A trigger added since the choices were made gets the default: private ones hidden.
    visibility = {t.pk: chosen.get(str(t.pk), HIDE if t.private else SHOW) for t in triggers}
    shared = {t.pk: t for t in triggers if visibility[t.pk] != HIDE}
    checkins = {
        c.pk: c
        for c in CheckIn.objects.filter(user=user, month__gte=before_start, month__lte=end)
        .only("month", "wellbeing", "satisfaction", "energy", "hours", "talking_points")
        .order_by("month")
    }
    ratings = Rating.objects.filter(checkin__in=checkins, trigger__in=shared).values_list(
        "checkin_id", "trigger_id", "level", "note"
    )

    months = {pk: Month(c, threshold=threshold) for pk, c in checkins.items()}
    levels = defaultdict(lambda: ([], []))  # trigger → (levels before, levels now)
    for checkin_id, trigger_id, level, note in ratings:
        month, trigger = months[checkin_id], shared[trigger_id]
        month.turning_up += level >= threshold
        levels[trigger_id][month.checkin.month >= start].append(level)
        if visibility[trigger_id] == SHOW:
            month.lines.append(Line(trigger.title, level, note if choices["notes"] else ""))
        else:
            month.theme_lines.append(Line(trigger.theme or "General", level))
    for month in months.values():
        month.lines.sort(key=lambda line: (-line.level, line.label))
        month.theme_lines.sort(key=lambda line: (line.label, -line.level))

    now = [m for m in months.values() if m.checkin.month >= start]
    before = [m for m in months.values() if m.checkin.month < start]
    return Export(
        start=start,
        end=end,
        previous=(before_start, before_end),
        scores=choices["scores"],
        talking_points=choices["talking_points"],
        months=list(reversed(now)),
        together_now=now[-1].turning_up if now else None,
        together_before=before[-1].turning_up if before else None,
        changes=_changes(levels, shared, visibility, threshold),
        threshold=threshold,
    )


def _label(trigger: Trigger, visibility: dict) -> str:
    if visibility[trigger.pk] == SHOW:
        return trigger.title
    return f"a {trigger.theme or 'General'} trigger"


def _changes(levels, shared, visibility, threshold) -> dict[str, list[str]]:
    changes = {"new": [], "worse": [], "better": [], "resolved": []}
    for trigger_id, (before, now) in levels.items():
        up_now = bool(now) and max(now) >= threshold
        up_before = bool(before) and max(before) >= threshold
        label = _label(shared[trigger_id], visibility)
        if up_now and not up_before:
            changes["new"].append(label)
        elif up_before and now and not up_now:
            changes["resolved"].append(label)
        elif up_now and up_before:
            shift = sum(now) / len(now) - sum(before) / len(before)
            if shift >= CHANGE:
                changes["worse"].append(label)
            elif shift <= -CHANGE:
                changes["better"].append(label)
    return {kind: sorted(labels) for kind, labels in changes.items()}


def markdown(export: Export) -> str:
    return render_to_string("exports/summary.md", {"export": export})


def csv_text(export: Export) -> str:
    """One row per month and shared trigger, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["month", "trigger", "level", "level_name", "note"]
    if export.scores:
        header += ["wellbeing", "job_satisfaction", "energy", "weekly_hours"]
    if export.talking_points:
        header.append("talking_points")
    writer.writerow(header)
    for month in reversed(export.months):
        c = month.checkin
        rows = [(line.label, line.level, line.level_name, line.note) for line in month.lines]
        rows += [
            (f"{line.label} trigger (theme only)", line.level, line.level_name, "")
            for line in month.theme_lines
        ]
        for row in rows or [("", "", "", "")]:
            cells = [f"{c.month:%Y-%m}", *row]
            if export.scores:
                cells += [c.wellbeing, c.satisfaction, c.energy, c.hours]
            if export.talking_points:
                cells.append(c.talking_points)
            writer.writerow([neutralise(cell) for cell in cells])
    return out.getvalue()


def neutralise(value) -> str:
    """Keep a spreadsheet from reading a cell as a formula (OWASP's CSV injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
