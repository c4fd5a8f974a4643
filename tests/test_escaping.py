"""What people type is shown as text everywhere, never run as markup."""

import pytest

from assessments.models import Job, previous_month, this_month

from .factories import make_checkin, make_trigger

HOSTILE = "<script>alert(1)</script>"
PAGES = [
    "/",
    "/?range=all",
    "/check-in/",
    "/history/",
    "/search/?q=alert",
    "/checklist/",
    "/export/",
    "/settings/",
]


@pytest.fixture
def hostile(owner):
    trigger = make_trigger(owner, HOSTILE, theme=HOSTILE, description=HOSTILE)
    for month in (previous_month(this_month()), this_month()):
        checkin = make_checkin(owner, month, {trigger: 3}, notes=HOSTILE, talking_points=HOSTILE)
        checkin.ratings.update(note=HOSTILE)
    Job.objects.create(user=owner, employer=HOSTILE, role=HOSTILE, start=previous_month(this_month()))
    return trigger


@pytest.mark.parametrize("url", PAGES)
def test_a_hostile_title_renders_as_text_on_every_page(owner_client, hostile, url):
    response = owner_client.get(url, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert HOSTILE not in body
    if url != "/history/":  # the one page that shows no titles
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_hostile_title_is_shown_as_written_in_the_charts(owner_client, hostile):
    body = owner_client.get("/?range=all").content.decode()
    assert HOSTILE not in body
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    heatmap = body[
        body.index('<table class="heatmap') : body.index("</table>", body.index('<table class="heatmap'))
    ]
    # Escaped once, as HTML: never a second time, which would show "&lt;" on the screen.
    assert f'<span title="{escaped}">{escaped}</span>' in heatmap
    assert "&amp;lt;" not in body
    # The job change marked on the bar chart, its label cut to 24 characters.
    assert "→ &lt;script&gt;alert(1)&lt;/scrip…</text>" in body


@pytest.mark.parametrize("fmt", ["print"])
def test_a_hostile_title_renders_as_text_on_the_printable_page(owner_client, hostile, fmt):
    month = f"{this_month():%Y-%m}"
    response = owner_client.post(
        f"/export/{fmt}/",
        {
            "start": month,
            "end": month,
            "talking_points": "on",
            "notes": "on",
            "scores": "on",
            f"t_{hostile.pk}": "show",
        },
    )
    assert response.status_code == 200
    assert HOSTILE not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()
