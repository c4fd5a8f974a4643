"""The checklist every new account starts with (the usual leave triggers, each with its
theme), and the themes offered for new triggers.

Each default trigger has a short title of one idea, a short name for charts and tight
places, and as its description its original wording, verbatim.
"""

from dataclasses import dataclass

from .models import Trigger

# Offered when adding or editing a trigger; any other theme may be typed.
THEMES = ["Leadership", "Team", "Manager", "Role & growth", "Culture", "Ethics"]


@dataclass(frozen=True)
class Default:
    title: str
    short_name: str
    description: str  # the original wording, verbatim
    theme: str
    private: bool = False


DEFAULT_TRIGGERS = [
    Default(
        "Leadership ignores the company values",
        "Values",
        "Leadership that doesn’t respect or follow the company values",
        "Leadership",
    ),
    Default(
        "Leadership rewards “gamified” KPIs over research",
        "Gamified KPIs",
        "Leadership that doesn’t reward research and development into new approaches, "
        "but instead focuses on “gamified” KPIs to a detrimental extent",
        "Leadership",
    ),
    Default(
        "My work serves tracking or privacy-breaking",
        "Tracking",
        "Signal collection apparatus used to support tracking, targeting, or other "
        "privacy-breaking activities on the internet",
        "Ethics",
    ),
    Default(
        "Teammates compete instead of helping",
        "Teamwork",
        "Teammates that don’t support or help each other, or an overall feeling on "
        "competition or aggression between employees",
        "Team",
    ),
    # Short enough already, and the title other places know it by.
    Default(
        "Lack of trust in the managerial relationship",
        "Manager trust",
        "Lack of trust in the managerial relationship",
        "Manager",
        private=True,
    ),
    Default(
        "Less care for diversity and inclusion",
        "Diversity & inclusion",
        "Decreasing acknowledgement or care about diversity and inclusion at the company",
        "Culture",
    ),
    Default(
        "No humility or safety after mistakes",
        "Humility",
        "Lack of humility in people following a mistake, or lack of psychological safety "
        "to be humble following a mistake",
        "Culture",
    ),
    Default(
        "My job serves sales, not the product",
        "Sales over product",
        "Job function purely serves sales or marketing versus improving the product",
        "Role & growth",
    ),
    Default(
        "No room to grow",
        "Growth",
        "Lack of career improvement or growth potential",
        "Role & growth",
    ),
    # Job satisfaction is asked as a score every month; this trigger asks something else:
    # whether the dissatisfaction has become a sign to look elsewhere.
    Default(
        "Unsatisfied enough to look elsewhere",
        "Unsatisfied",
        "If you're unsatisfied at your job, that's a sign you should start looking elsewhere.",
        "Role & growth",
    ),
    Default(
        "Blame instead of fixing problems",
        "Blame",
        "If people are assigning blame instead of figuring out the problem then fixing it, "
        "that's a sign you should look elsewhere.",
        "Culture",
    ),
]


def add_default_checklist(user) -> None:
    Trigger.objects.bulk_create(
        Trigger(
            user=user,
            title=default.title,
            short_name=default.short_name,
            description=default.description,
            theme=default.theme,
            private=default.private,
            position=position,
        )
        for position, default in enumerate(DEFAULT_TRIGGERS)
    )
