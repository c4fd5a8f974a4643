"""The checklist every new account starts with (the usual leave triggers, each with its
theme), and the themes offered for new triggers."""

from .models import Trigger

# Offered when adding or editing a trigger; any other theme may be typed.
THEMES = ["Leadership", "Team", "Manager", "Role & growth", "Culture", "Ethics"]

# (title, theme, private)
DEFAULT_TRIGGERS = [
    ("Leadership that doesn’t respect or follow the company values", "Leadership", False),
    (
        "Leadership that doesn’t reward research and development into new approaches, "
        "but instead focuses on “gamified” KPIs to a detrimental extent",
        "Leadership",
        False,
    ),
    (
        "Signal collection apparatus used to support tracking, targeting, or other "
        "privacy-breaking activities on the internet",
        "Ethics",
        False,
    ),
    (
        "Teammates that don’t support or help each other, or an overall feeling on "
        "competition or aggression between employees",
        "Team",
        False,
    ),
    ("Lack of trust in the managerial relationship", "Manager", True),
    (
        "Decreasing acknowledgement or care about diversity and inclusion at the company",
        "Culture",
        False,
    ),
    (
        "Lack of humility in people following a mistake, or lack of psychological safety "
        "to be humble following a mistake",
        "Culture",
        False,
    ),
    (
        "Job function purely serves sales or marketing versus improving the product",
        "Role & growth",
        False,
    ),
    ("Lack of career improvement or growth potential", "Role & growth", False),
    ("Being unsatisfied at my job", "Role & growth", False),
    ("People assigning blame instead of figuring out the problem then fixing it", "Culture", False),
]


def add_default_checklist(user) -> None:
    Trigger.objects.bulk_create(
        Trigger(user=user, title=title, theme=theme, private=private, position=position)
        for position, (title, theme, private) in enumerate(DEFAULT_TRIGGERS)
    )
