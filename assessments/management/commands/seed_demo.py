"""A demo account with three years of monthly check-ins that tell a story.

A few triggers are always faintly there; then, in the last year of the first job,
several rise together; after a job change things are calmer. Growth stalls first: a
promotion is put off in the calm first year, and job satisfaction sinks with it, so "What
goes with your satisfaction" has a clear finding with enough months on both sides. The
checklist changes along the way: a trigger reworded, one added in the bad year, one kept
private for a while, one retired after the job change.
"""

import random
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    ChangeKind,
    CheckIn,
    ChecklistChange,
    Job,
    Level,
    Rating,
    Trigger,
    add_months,
    this_month,
)
from assessments.services import create_account

USERNAME = "demo"
PASSWORD = "demo-password"

# Default-checklist positions (see assessments/defaults.py) and how each one evolves:
# a base level in the calm first year, and whether it rises before the job change.
STORY = {
    0: (1, True),  # leadership ignoring the company values
    1: (1, True),  # gamified KPIs
    2: (0, False),
    3: (0, False),
    4: (1, True),  # lack of trust in the manager (private)
    5: (0, False),
    6: (0, True),  # no humility after mistakes
    7: (1, False),
    8: (1, True),  # no growth
    9: (0, True),  # unsatisfied
    10: (0, False),
}
GROWTH, TRUST = 8, 4
STALLED = range(3, 9)  # first-year months in which the promotion is put off
NOTES = {
    0: "Values talk at the all-hands, the opposite in the roadmap review.",
    1: "Quarter planning was all about the dashboard numbers again.",
    4: "Decisions about my project made without me.",
    8: "Promotion conversation pushed to next cycle, again.",
}

# What the person wanted to raise at their 1:1, by month of the three years.
TALKING_POINTS = {
    0: "Ask about the roadmap for next quarter.",
    3: "Promotion: what would the next step need from me this year?",
    6: "The promotion is on hold again. What is the plan, and when?",
    9: "Training budget for the spring: the data engineering course.",
    12: "The new manager: how do we want to work together?",
    15: "Ask about the roadmap for next quarter.",
    17: "Decisions about my project are made without me. I want to be in the room.",
    19: "The dashboard numbers are driving the roadmap. Can we keep time for research?",
    21: "Workload: weekly hours are up for three months in a row.",
    23: "Handing over my projects before I leave.",
    24: "First month at Duo: what does a good first quarter look like?",
    28: "Ask about the roadmap for next quarter.",
    31: "Sales requests: who decides what the platform team works on?",
    34: "Growth: which conference could I speak at next year?",
}


# The checklist's own story, by month (counted from the first check-in): the month a
# trigger was added to it (the new one rises with the others) and the changes after.
ADDED = 14
ADDED_TITLE = "Constant reorganisations that undo the last one before it has settled"
RETIRED = 26  # the adtech worry, after moving to a job without any
OLD_WORDING = "My work only serves sales"


class Command(BaseCommand):
    help = f"Create (or recreate) the demo account '{USERNAME}' with three years of check-ins."

    @transaction.atomic
    def handle(self, *args, **options):
        get_user_model().objects.filter(username=USERNAME).delete()
        user = create_account(username=USERNAME, password=PASSWORD)
        triggers = list(user.triggers.order_by("position"))
        rng = random.Random(2021)
        first = add_months(this_month(), -36)
        change = add_months(first, 24)
        Job.objects.create(
            user=user, employer="Signal & Co", role="Data scientist", start=add_months(first, -14)
        )
        Job.objects.filter(user=user).update(end=add_months(change, -1).replace(day=28))
        Job.objects.create(user=user, employer="Duo", role="Senior engineer", start=change)

        def day(index: int) -> datetime:
            return timezone.make_aware(datetime.combine(add_months(first, index).replace(day=12), time(9)))

        Trigger.objects.filter(user=user).update(created=day(0))
        reorgs = Trigger.objects.create(
            user=user, title=ADDED_TITLE, theme="Leadership", position=len(triggers), created=day(ADDED)
        )
        Trigger.objects.filter(pk=triggers[2].pk).update(retired=day(RETIRED).date())
        ChecklistChange.objects.bulk_create(
            ChecklistChange(
                user=user, trigger=trigger, kind=kind, title=trigger.title, old_title=old, at=day(index)
            )
            for index, trigger, kind, old in [
                (4, triggers[7], ChangeKind.REWORDED, OLD_WORDING),
                (ADDED, reorgs, ChangeKind.ADDED, ""),
                (19, triggers[9], ChangeKind.PRIVATE, ""),
                (RETIRED, triggers[2], ChangeKind.RETIRED, ""),
                (31, triggers[9], ChangeKind.SHAREABLE, ""),
            ]
        )

        for index in range(36):
            month = add_months(first, index)
            if index in (8, 29):
                continue  # missed months show as gaps
            if index < 12:
                strain = 0.0
            elif index < 24:
                strain = (index - 12) / 11  # the bad year, getting worse
            else:
                strain = -0.5
            levels = {}
            for position, (base, rises) in STORY.items():
                level = base + (round(2.4 * strain + rng.uniform(-0.4, 0.4)) if rises else 0)
                levels[position] = max(
                    Level.NOT_PRESENT,
                    min(Level.STRONG, level if strain >= 0 else base - (rng.random() < 0.5)),
                )
            stalled = index in STALLED
            if stalled:
                levels[GROWTH] = Level.CLEAR
            if 12 <= index < 24:
                levels[TRUST] = min(Level.STRONG, levels[TRUST] + 1)  # a new manager, early on
            checkin = CheckIn.objects.create(
                user=user,
                month=month,
                wellbeing=_score(
                    4 - 2 * strain - 0.8 * (levels[TRUST] >= Level.CLEAR) + rng.uniform(-0.5, 0.5)
                ),
                satisfaction=_score(4 - 3 * strain - 1.5 * stalled + rng.uniform(-0.5, 0.5)),
                energy=_score(4 - 2 * strain + rng.uniform(-0.6, 0.6)),
                hours=round(40 + 8 * max(strain, 0) + rng.uniform(-3, 3)),
                talking_points=TALKING_POINTS.get(index, ""),
            )
            ratings = [
                Rating(
                    checkin=checkin,
                    trigger=triggers[position],
                    level=level,
                    note=NOTES.get(position, "") if level == Level.STRONG else "",
                )
                for position, level in levels.items()
                if position != 2 or index < RETIRED
            ]
            if index >= ADDED:
                level = round(3 * strain + rng.uniform(-0.4, 0.4)) if strain >= 0 else int(rng.random() < 0.3)
                ratings.append(
                    Rating(checkin=checkin, trigger=reorgs, level=max(0, min(Level.STRONG, level)))
                )
            Rating.objects.bulk_create(ratings)
        CheckIn.objects.filter(user=user).update(backfilled=False)
        self.stdout.write(f"Demo account ready: log in as '{USERNAME}' with password '{PASSWORD}'.")


def _score(value: float) -> int:
    return max(1, min(5, round(value)))
