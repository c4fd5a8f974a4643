# ruff: noqa: E501 (the document's lines are quoted whole, as written)
"""The default checklist: short titles, short names, and the document's own words kept
verbatim as each trigger's description."""

import pytest
from django.core.exceptions import ValidationError

from assessments.defaults import DEFAULT_TRIGGERS
from assessments.models import Trigger

from .factories import make_user

# The lines of the person's document the default checklist comes from, as written there (its
# curly and straight quotes included): the nine under "Job hunting", then the two "sign you
# should look elsewhere" lines from further down.
DOCUMENT = """\
  • Leadership that doesn’t respect or follow the company values
  • Leadership that doesn’t reward research and development into new approaches, but instead focuses on “gamified” KPIs to a detrimental extent
  • Signal collection apparatus used to support tracking, targeting, or other privacy-breaking activities on the internet
  • Teammates that don’t support or help each other, or an overall feeling on competition or aggression between employees
  • Lack of trust in the managerial relationship
  • Decreasing acknowledgement or care about diversity and inclusion at the company
  • Lack of humility in people following a mistake, or lack of psychological safety to be humble following a mistake
  • Job function purely serves sales or marketing versus improving the product
  • Lack of career improvement or growth potential

  • If you're unsatisfied at your job, that's a sign you should start looking elsewhere.
  • If people are assigning blame instead of figuring out the problem then fixing it, that's a sign you should look elsewhere.
"""


def document_lines() -> list[str]:
    """The section's list items, in order."""
    return [line.removeprefix("  • ") for line in DOCUMENT.splitlines() if line.startswith("  • ")]


def test_each_default_keeps_its_line_of_the_document_verbatim_as_its_description():
    assert [default.description for default in DEFAULT_TRIGGERS] == document_lines()


def test_the_document_lines_are_all_eleven_its_nine_triggers_and_two_signs():
    lines = document_lines()
    assert len(lines) == 11
    assert lines[-2:] == [
        "If you're unsatisfied at your job, that's a sign you should start looking elsewhere.",
        "If people are assigning blame instead of figuring out the problem then fixing it, "
        "that's a sign you should look elsewhere.",
    ]


def test_each_default_title_is_short_and_no_longer_than_its_wording():
    for default in DEFAULT_TRIGGERS:
        assert len(default.title) <= 50, default.title
        assert len(default.title) <= len(default.description)


def test_each_default_has_its_own_short_name_that_fits():
    names = [default.short_name for default in DEFAULT_TRIGGERS]
    assert all(0 < len(name) <= 24 for name in names)  # Trigger.short_name's max_length
    assert len(set(names)) == len(names)


def test_lack_of_trust_in_the_managerial_relationship_alone_starts_private():
    assert [d.title for d in DEFAULT_TRIGGERS if d.private] == [
        "Lack of trust in the managerial relationship"
    ]


def test_the_job_satisfaction_trigger_asks_whether_it_has_become_a_sign_to_look_elsewhere():
    # The score asks how satisfied; the trigger, whether that has become a reason to leave.
    [unsatisfied] = [d for d in DEFAULT_TRIGGERS if d.short_name == "Unsatisfied"]
    assert unsatisfied.title == "Unsatisfied enough to look elsewhere"


@pytest.mark.django_db
def test_a_new_account_gets_them_with_their_descriptions_and_short_names():
    user = make_user("newcomer")
    stored = list(user.triggers.values_list("title", "short_name", "description", "private"))
    assert stored == [(d.title, d.short_name, d.description, d.private) for d in DEFAULT_TRIGGERS]


@pytest.mark.django_db
def test_a_short_name_is_at_most_24_characters():
    user = make_user("newcomer", default_checklist=False)
    trigger = Trigger(user=user, title="Too many meetings", short_name="x" * 25)
    with pytest.raises(ValidationError) as error:
        trigger.full_clean()
    assert "short_name" in error.value.message_dict
    trigger.short_name = "x" * 24
    trigger.full_clean()
