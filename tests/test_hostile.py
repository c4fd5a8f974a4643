"""Random and edge-case input to every form and htmx endpoint: never a 500, and a
refusal writes nothing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .helpers import account_snapshot, client_for, htmx_headers, named_patterns, url_for

FIELDS = [
    "wellbeing",
    "satisfaction",
    "energy",
    "hours",
    "notes",
    "talking_points",
    "title",
    "description",
    "theme",
    "employer",
    "role",
    "start",
    "end",
    "turn_up_level",
    "together_count",
    "sustained_months",
    "tenure_years",
    "due_day",
    "reminders",
    "confirm",
    "password",
    "old_password",
    "new_password1",
    "new_password2",
    "scores",
    "csrfmiddlewaretoken",
]
VALUES = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=2000),
    st.just("x" * 100_000),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        ["", " ", "0", "-1", "3", "7", "1e9", "NaN", "2026-13", "9999-12", "0001-01", "null", "\x00"]
    ),
    st.floats(allow_nan=True).map(str),
)
POSTS = [p for p in named_patterns() if p.name not in ("healthz", "calendar", "backup", "signup")]


@pytest.mark.parametrize("pattern", [pytest.param(p, id=p.name) for p in POSTS])
@settings(max_examples=settings().max_examples // 4)  # for each of the 20-odd URLs
@given(
    data=st.dictionaries(
        st.one_of(
            st.sampled_from(FIELDS),
            st.sampled_from(["level_", "note_", "t_"]).map(lambda p: p + "1"),
            st.text(max_size=10),
        ),
        VALUES,
        max_size=6,
    ),
    htmx=st.booleans(),
)
def test_random_posts_never_break_a_page_and_refusals_write_nothing(world, pattern, data, htmx):
    owner = world["owner"]
    client = client_for(owner, raise_request_exception=False)
    before = account_snapshot(owner)
    response = client.post(url_for(pattern, world), data, **htmx_headers(htmx))
    assert response.status_code < 500, (pattern.name, data, response.status_code)
    if response.status_code >= 400 and pattern.name != "login":
        owner.refresh_from_db()
        assert account_snapshot(owner) == before, (pattern.name, data)
