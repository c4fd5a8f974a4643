"""The ceilings on what one account holds (assessments/models.py): each refused wherever it
could be passed, with a clear message and nothing changed; requests sent at once can't pass
one together; and the writes that used to grow with the checklist no longer do.

The backup's and import_history's refusals are in test_backup (CEILINGS), the month floor
of each way in is here, the dashboard's bounds are in test_dashboard.
"""

import re
import socket
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import backup
from assessments.models import (
    FIRST_JOB_DAY,
    FIRST_MONTH,
    MAX_ACTIVE_TRIGGERS,
    MAX_JOBS,
    MAX_RATINGS,
    MAX_TEXT,
    MAX_TRIGGERS,
    CheckIn,
    Job,
    Rating,
    Trigger,
    add_months,
    previous_month,
    text_used,
    this_month,
)

from .factories import make_checkin, make_user
from .helpers import HTMX, client_for, in_parallel

pytestmark = pytest.mark.django_db

ACTIVE_FULL = (
    f"Your checklist has {MAX_ACTIVE_TRIGGERS} active triggers, the most it holds. Retire one first."
)
ALL_FULL = f"Your checklist keeps {MAX_TRIGGERS} triggers, retired ones included, the most it can."
JOBS_FULL = f"You have {MAX_JOBS} jobs, the most careerapp keeps. Remove one first."
RATINGS_FULL = f"This check-in already rates {MAX_RATINGS} triggers, the most one holds"
TEXT_FULL = f"Your check-ins hold {MAX_TEXT:,} characters of notes and talking points"


def fill(user, *, active: int, retired: int = 0) -> list[Trigger]:
    """Add triggers until the user has `active` active ones and `retired` retired ones."""
    have = Trigger.objects.filter(user=user)
    now_active, now_retired = have.filter(retired__isnull=True).count(), have.exclude(retired=None).count()
    Trigger.objects.bulk_create(
        [Trigger(user=user, title=f"Active {n}", position=100 + n) for n in range(active - now_active)]
        + [
            Trigger(user=user, title=f"Retired {n}", position=500 + n, retired=date(2020, 1, 1))
            for n in range(retired - now_retired)
        ]
    )
    return list(Trigger.objects.filter(user=user))


def counts(user) -> tuple[int, int, int, int]:
    return (
        Trigger.objects.filter(user=user).count(),
        Trigger.objects.filter(user=user, retired__isnull=True).count(),
        Job.objects.filter(user=user).count(),
        Rating.objects.filter(checkin__user=user).count(),
    )


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


# The checklist ---------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_adding_a_trigger_beyond_the_active_ceiling_is_refused_with_a_message(owner_client, owner, headers):
    fill(owner, active=MAX_ACTIVE_TRIGGERS)
    before = counts(owner)
    response = owner_client.post(reverse("trigger_add"), {"title": "One too many"}, **headers)
    assert response.status_code == (422 if headers else 400)
    assert ACTIVE_FULL in text(response)
    assert counts(owner) == before
    assert not Trigger.objects.filter(user=owner, title="One too many").exists()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_adding_a_trigger_beyond_the_ceiling_of_all_triggers_is_refused_though_few_are_active(
    owner_client, owner, headers
):
    fill(owner, active=11, retired=MAX_TRIGGERS - 11)
    assert counts(owner)[:2] == (MAX_TRIGGERS, 11)
    response = owner_client.post(reverse("trigger_add"), {"title": "One too many"}, **headers)
    assert response.status_code == (422 if headers else 400)
    assert ALL_FULL in text(response)
    assert counts(owner)[:2] == (MAX_TRIGGERS, 11)


def test_the_checklist_at_its_ceiling_says_so_where_the_add_form_was(owner_client, owner):
    assert 'action="/checklist/add/"' in owner_client.get(reverse("checklist")).text
    fill(owner, active=MAX_ACTIVE_TRIGGERS)
    page = text(owner_client.get(reverse("checklist")))
    assert ACTIVE_FULL in page
    assert 'action="/checklist/add/"' not in page


def test_a_trigger_can_be_added_again_once_one_is_retired(owner_client, owner):
    triggers = fill(owner, active=MAX_ACTIVE_TRIGGERS)
    owner_client.post(reverse("trigger_action", args=[triggers[0].pk, "retire"]))
    response = owner_client.post(reverse("trigger_add"), {"title": "Room again"})
    assert response.status_code == 302
    assert Trigger.objects.filter(user=owner, title="Room again", retired__isnull=True).exists()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_restoring_a_retired_trigger_beyond_the_active_ceiling_is_refused_and_it_stays_retired(
    owner_client, owner, headers
):
    triggers = fill(owner, active=MAX_ACTIVE_TRIGGERS, retired=1)
    (retired,) = [t for t in triggers if t.retired]
    response = owner_client.post(reverse("trigger_action", args=[retired.pk, "restore"]), **headers)
    assert response.status_code == (422 if headers else 400)
    assert f"“{retired.title}” wasn’t restored. {ACTIVE_FULL}" in text(response)
    retired.refresh_from_db()
    assert retired.retired == date(2020, 1, 1)
    assert counts(owner)[1] == MAX_ACTIVE_TRIGGERS


# Jobs ------------------------------------------------------------------------------


def jobs(user, count: int) -> None:
    Job.objects.bulk_create(
        Job(user=user, employer=f"Employer {n}", start=date(2000, 1, 1)) for n in range(count)
    )


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_adding_a_job_beyond_the_ceiling_is_refused_with_a_message(owner_client, owner, headers):
    jobs(owner, MAX_JOBS)
    data = {"employer": "One too many", "role": "", "start": "2024-01-01", "end": ""}
    response = owner_client.post(reverse("job_add"), data, **headers)
    assert response.status_code == (422 if headers else 400)
    assert JOBS_FULL in text(response)
    assert Job.objects.filter(user=owner).count() == MAX_JOBS
    assert not Job.objects.filter(employer="One too many").exists()


def test_the_jobs_at_their_ceiling_say_so_where_the_add_form_was(owner_client, owner):
    jobs(owner, MAX_JOBS - 1)
    assert 'action="/settings/jobs/add/"' in owner_client.get(reverse("settings")).text
    jobs(owner, 1)
    page = text(owner_client.get(reverse("settings")))
    assert JOBS_FULL in page
    assert 'action="/settings/jobs/add/"' not in page


# A check-in's ratings and the account's words --------------------------------------


@pytest.fixture
def full_checkin(owner):
    """This month's check-in rating MAX_RATINGS triggers, retired since, and an active one unrated."""
    retired = [t for t in fill(owner, active=0, retired=MAX_RATINGS) if t.retired]
    checkin = make_checkin(owner, this_month(), dict.fromkeys(retired, 1))
    return checkin, Trigger.objects.filter(user=owner, retired__isnull=True)[0]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_check_in_refuses_a_rating_beyond_its_ceiling_and_saves_nothing_of_the_answer(
    owner_client, owner, full_checkin, headers
):
    checkin, unrated = full_checkin
    url = reverse("checkin", args=[this_month()])
    data = {f"level_{unrated.pk}": "3", f"note_{unrated.pk}": "", "wellbeing": "2"}
    response = owner_client.post(url, data, **headers)
    assert response.status_code == (422 if headers else 400)
    assert RATINGS_FULL in text(response)
    assert Rating.objects.filter(checkin=checkin).count() == MAX_RATINGS
    checkin.refresh_from_db()
    assert checkin.wellbeing is None  # the answers sent with it are not half saved


def test_a_full_check_in_still_takes_changes_to_its_ratings(owner_client, owner, full_checkin):
    checkin, _ = full_checkin
    rated = checkin.ratings.first()
    url = reverse("checkin", args=[this_month()])
    response = owner_client.post(
        url, {f"level_{rated.trigger_id}": "3", f"note_{rated.trigger_id}": ""}, **HTMX
    )
    assert response.status_code == 200
    rated.refresh_from_db()
    assert rated.level == 3


def test_notes_beyond_the_accounts_text_ceiling_are_refused_and_nothing_changes(owner_client, owner):
    trigger = Trigger.objects.filter(user=owner)[0]
    CheckIn.objects.bulk_create(
        CheckIn(user=owner, month=add_months(FIRST_MONTH, n), notes="x" * 10_000)
        for n in range(MAX_TEXT // 10_000)
    )
    make_checkin(owner, this_month(), {trigger: 1})
    assert text_used(owner.pk) == MAX_TEXT
    url = reverse("checkin", args=[this_month()])
    for data in ({f"level_{trigger.pk}": "2", f"note_{trigger.pk}": "a word"}, {"talking_points": "a word"}):
        response = owner_client.post(url, data, **HTMX)
        assert response.status_code == 422
        assert TEXT_FULL in text(response)
    rating = Rating.objects.get(checkin__month=this_month(), trigger=trigger)
    assert (rating.level, rating.note) == (1, "")
    assert text_used(owner.pk) == MAX_TEXT
    # Answers without words, and words that make room, are still saved.
    assert (
        owner_client.post(url, {f"level_{trigger.pk}": "2", f"note_{trigger.pk}": ""}, **HTMX).status_code
        == 200
    )
    first = reverse("checkin", args=[FIRST_MONTH])
    assert owner_client.post(first, {"notes": "shorter"}, **HTMX).status_code == 200


def test_the_text_ceiling_counts_private_notes_talking_points_and_rating_notes(owner):
    trigger = Trigger.objects.filter(user=owner)[0]
    checkin = make_checkin(owner, this_month(), {trigger: 2}, notes="abc", talking_points="de")
    checkin.ratings.update(note="fghi")
    make_checkin(make_user("someone"), this_month(), notes="not theirs")
    assert text_used(owner.pk) == 9


# At once ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_triggers_added_at_once_never_pass_the_active_ceiling():
    owner = make_user("owner")
    fill(owner, active=MAX_ACTIVE_TRIGGERS - 2)
    clients = [client_for(owner) for _ in range(6)]
    codes = in_parallel(6, lambda n: clients[n].post(reverse("trigger_add"), {"title": f"At once {n}"}))
    assert sorted(codes) == [302, 302, 400, 400, 400, 400]
    assert counts(owner)[1] == MAX_ACTIVE_TRIGGERS


@pytest.mark.django_db(transaction=True)
def test_retired_triggers_restored_at_once_never_pass_the_active_ceiling():
    owner = make_user("owner")
    retired = [t for t in fill(owner, active=MAX_ACTIVE_TRIGGERS - 1, retired=5) if t.retired]
    clients = [client_for(owner) for _ in retired]
    codes = in_parallel(
        len(retired), lambda n: clients[n].post(reverse("trigger_action", args=[retired[n].pk, "restore"]))
    )
    assert sorted(codes) == [302, 400, 400, 400, 400]
    assert counts(owner)[1] == MAX_ACTIVE_TRIGGERS


@pytest.mark.django_db(transaction=True)
def test_jobs_added_at_once_never_pass_the_ceiling():
    owner = make_user("owner")
    jobs(owner, MAX_JOBS - 1)
    clients = [client_for(owner) for _ in range(5)]
    data = {"employer": "At once", "role": "", "start": "2024-01-01", "end": ""}
    codes = in_parallel(5, lambda n: clients[n].post(reverse("job_add"), data))
    assert sorted(codes) == [302, 400, 400, 400, 400]
    assert Job.objects.filter(user=owner).count() == MAX_JOBS


@pytest.mark.django_db(transaction=True)
def test_ratings_saved_at_once_never_pass_a_check_ins_ceiling():
    owner = make_user("owner", default_checklist=False)
    triggers = fill(owner, active=MAX_RATINGS + 3)
    make_checkin(owner, this_month(), dict.fromkeys(triggers[: MAX_RATINGS - 1], 1))
    late = triggers[MAX_RATINGS - 1 :]
    clients = [client_for(owner) for _ in late]
    url = reverse("checkin", args=[this_month()])
    codes = in_parallel(
        len(late),
        lambda n: clients[n].post(url, {f"level_{late[n].pk}": "2", f"note_{late[n].pk}": ""}, **HTMX),
    )
    assert sorted(codes) == [200, 422, 422, 422]
    assert Rating.objects.filter(checkin__user=owner).count() == MAX_RATINGS


# Moving a trigger ------------------------------------------------------------------


def test_moving_a_trigger_writes_two_rows_however_long_the_checklist(owner_client, owner):
    fill(owner, active=MAX_ACTIVE_TRIGGERS)
    order = list(Trigger.objects.filter(user=owner).order_by("position", "pk").values_list("pk", flat=True))
    moved = order[30]
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.post(reverse("trigger_action", args=[moved, "up"])).status_code == 302
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 2
    assert all('WHERE "assessments_trigger"."id" = ' in sql for sql in updates)
    order[29], order[30] = order[30], order[29]
    assert (
        list(Trigger.objects.filter(user=owner).order_by("position", "pk").values_list("pk", flat=True))
        == order
    )


def test_moving_among_tied_positions_puts_the_list_in_order_without_moving_anything_else(owner):
    """Positions tied by an older version (or a restored file) are numbered afresh once."""
    triggers = fill(owner, active=5)
    Trigger.objects.filter(user=owner).update(position=7)
    order = [t.pk for t in sorted(triggers, key=lambda t: t.pk)]
    Trigger.objects.get(pk=order[3]).move(-1)
    order[2], order[3] = order[3], order[2]
    assert list(Trigger.objects.filter(user=owner).values_list("pk", flat=True)) == order
    assert list(Trigger.objects.filter(user=owner).values_list("position", flat=True)) == list(
        range(len(order))
    )


# A restore's size, judged before its body is read ----------------------------------


def raw_request(live_server, client: Client, headers: str, body: bytes) -> str:
    """Sends the start of a request and, without sending the rest, reads the answer."""
    host, port = live_server.thread.host, live_server.thread.port
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            f"POST {reverse('restore')} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
            f"Content-Type: multipart/form-data; boundary=b\r\nConnection: close\r\n{headers}\r\n".encode()
            + body
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
        head, body = answer.split(b"\r\n\r\n", 1)
        found = re.search(rb"Content-Length: (\d+)", head, re.I)
        assert found, head
        length = int(found.group(1))
        while len(body) < length:  # not until the connection closes: the server may wait for the rest
            body += sock.recv(65536)
    return (head + b"\r\n\r\n" + body).decode("utf-8", "replace")


@pytest.mark.django_db(transaction=True)
def test_a_restore_declaring_more_than_the_limit_is_refused_before_its_body_is_read(live_server):
    owner = make_user("owner")
    before = counts(owner)
    # Ten megabytes are announced, a few bytes sent: the answer can't have waited for the rest.
    answer = raw_request(
        live_server, client_for(owner), f"Content-Length: {backup.MAX_BODY + 1}\r\n", b"--b\r\n"
    )
    assert answer.startswith("HTTP/1.1 413")
    assert "Nothing was restored. The file is larger than 10 MB, the most a restore takes." in answer
    assert counts(owner) == before


@pytest.mark.django_db(transaction=True)
def test_a_restore_without_content_length_is_refused_without_reading_it(live_server):
    owner = make_user("owner")
    before = counts(owner)
    chunk = b"--b\r\n" + b"x" * 60_000
    answer = raw_request(
        live_server,
        client_for(owner),
        "Transfer-Encoding: chunked\r\n",
        f"{len(chunk):x}\r\n".encode() + chunk,
    )
    assert answer.startswith("HTTP/1.1 411")
    assert "Nothing was restored. The upload didn’t say how large it is" in answer
    assert counts(owner) == before


def test_a_restore_whose_file_runs_past_the_limit_stops_reading_there(owner_client, owner):
    """Within the declared size, but the file itself too long: the upload handler stops."""
    before = counts(owner)
    response = owner_client.post(reverse("restore"), {"backup": upload(b"{" + b" " * backup.MAX_BYTES)})
    assert response.status_code == 400
    assert "Nothing was restored. The file is larger than 10 MB, the most a restore takes." in text(response)
    assert counts(owner) == before


def test_a_restore_still_checks_the_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(reverse("restore"), {"backup": upload(b"{}")}).status_code == 403


def upload(raw: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("backup.json", raw, content_type="application/json")


# Months from January 1970 ----------------------------------------------------------


@pytest.mark.parametrize("month", ["1969-12", "1900-01", "0999-05", "0001-01", "0000-01"])
def test_a_month_before_1970_has_no_check_in_page_and_takes_no_autosave(owner_client, owner, month):
    url = f"/check-in/{month}/"
    assert owner_client.get(url).status_code == 404
    trigger = Trigger.objects.filter(user=owner)[0]
    response = owner_client.post(url, {f"level_{trigger.pk}": "2", f"note_{trigger.pk}": ""}, **HTMX)
    assert response.status_code == 404
    assert not CheckIn.objects.filter(user=owner).exists()


def test_january_1970_can_be_checked_in_and_links_to_no_month_before(owner_client, owner):
    url = reverse("checkin", args=[FIRST_MONTH])
    page = owner_client.get(url).text
    assert 'rel="prev"' not in page
    assert f'href="{reverse("checkin", args=[add_months(FIRST_MONTH, 1)])}" rel="next"' in page
    assert owner_client.post(url, {"wellbeing": "3"}, **HTMX).status_code == 200
    assert CheckIn.objects.get(user=owner).month == FIRST_MONTH
    assert 'rel="prev"' in owner_client.get(reverse("checkin", args=[add_months(FIRST_MONTH, 1)])).text


def test_a_future_month_keeps_its_own_refusal(owner_client):
    response = owner_client.get(reverse("checkin", args=[add_months(this_month(), 1)]))
    assert response.status_code == 400
    assert "hasn’t started yet" in text(response)


def export_period(client, start: str, end: str):
    return client.get(reverse("export"), {"start": start, "end": end, "talking_points": "on"})


def test_an_export_period_before_1970_is_refused_with_a_message(owner_client, owner):
    response = export_period(owner_client, "1969-12", "1970-03")
    assert response.status_code == 400
    assert "The period can’t start before January 1970." in text(response)
    assert export_period(owner_client, "1970-01", "1970-03").status_code == 200


def test_an_export_period_longer_than_twelve_months_is_refused_with_a_message(owner_client, owner):
    start = add_months(this_month(), -12)
    response = export_period(owner_client, f"{start:%Y-%m}", f"{this_month():%Y-%m}")
    assert response.status_code == 400
    assert "An export covers at most 12 months: choose a shorter period." in text(response)
    start = add_months(this_month(), -11)
    assert export_period(owner_client, f"{start:%Y-%m}", f"{this_month():%Y-%m}").status_code == 200


def test_the_export_month_fields_offer_only_months_from_1970_to_this_one(owner_client):
    page = owner_client.get(reverse("export")).text
    assert page.count('min="1970-01"') == 2
    assert page.count(f'max="{this_month():%Y-%m}"') == 2


def test_the_default_export_period_stays_within_twelve_months_across_long_gaps(owner_client, owner):
    for months in (40, 20, 1):
        make_checkin(owner, add_months(this_month(), -months))
    form = owner_client.get(reverse("export")).context["form"]
    assert (form.initial["start"], form.initial["end"]) == (
        add_months(this_month(), -12),
        previous_month(this_month()),
    )


def test_the_export_command_still_takes_the_whole_history_but_not_before_1970(owner):
    from django.core.management import CommandError, call_command

    make_checkin(owner, FIRST_MONTH, talking_points="From the start")
    with pytest.raises(CommandError, match="The period can’t start before January 1970."):
        call_command("export_history", "owner", "--format", "md", "--from", "1969-01", "--to", "1970-01")
    from io import StringIO

    out = StringIO()
    call_command("export_history", "owner", "--format", "md", "--from", "1970-01", stdout=out)
    assert "From the start" in out.getvalue()


@pytest.mark.parametrize(("start", "ok"), [("1949-12-31", False), ("1950-01-01", True)])
def test_a_job_can_start_from_1950(owner_client, owner, start, ok):
    response = owner_client.post(
        reverse("job_add"), {"employer": "Early", "role": "", "start": start, "end": ""}
    )
    assert response.status_code == (302 if ok else 400)
    assert Job.objects.filter(user=owner, employer="Early").exists() is ok
    if not ok:
        assert f"A job can start on {FIRST_JOB_DAY.day} {FIRST_JOB_DAY:%B %Y} or later." in text(response)


def test_the_database_refuses_a_check_in_before_1970(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(user=owner, month=previous_month(FIRST_MONTH))


def test_the_database_refuses_a_job_before_1950(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(user=owner, employer="Early", start=date(1949, 12, 31))


# The migration that brings in the month floor ----------------------------------------

BEFORE_FLOOR = ("assessments", "0008_throttle_attempts")


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_early_check_ins_in_free_months_from_1970_and_starts_early_jobs_in_1950():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE_FLOOR])
    try:
        old = executor.loader.project_state([BEFORE_FLOOR]).apps
        user = old.get_model("auth", "User").objects.create(username="early")
        other = old.get_model("auth", "User").objects.create(username="other")
        checkins, jobs = (
            old.get_model("assessments", "CheckIn").objects,
            old.get_model("assessments", "Job").objects,
        )
        for month, notes in [
            (date(999, 5, 1), "typed 0999"),
            (date(1969, 12, 1), "December 1969"),
            (date(1970, 1, 1), ""),
        ]:
            checkins.create(user=user, month=month, notes=notes)
        checkins.create(user=other, month=date(1969, 1, 1), notes="theirs")
        jobs.create(user=user, employer="Long ago", start=date(1940, 1, 1), end=date(1945, 6, 30))
        jobs.create(user=user, employer="Since", start=date(1948, 3, 1))
        jobs.create(user=user, employer="Later", start=date(1990, 1, 1), end=date(1999, 1, 1))
    finally:
        MigrationExecutor(connection).migrate(latest)
    moved = CheckIn.objects.filter(user__username="early").order_by("month")
    assert [(c.month, c.notes, c.backfilled) for c in moved] == [
        (date(1970, 1, 1), "", False),
        (date(1970, 2, 1), "typed 0999", True),  # kept, in their order, in the first free months
        (date(1970, 3, 1), "December 1969", True),
    ]
    assert CheckIn.objects.get(user__username="other").month == date(1970, 1, 1)
    assert {(j.employer, j.start, j.end) for j in Job.objects.all()} == {
        ("Long ago", FIRST_JOB_DAY, FIRST_JOB_DAY),
        ("Since", FIRST_JOB_DAY, None),
        ("Later", date(1990, 1, 1), date(1999, 1, 1)),
    }


# Pages whose cost once grew with the checklist -----------------------------------------


def test_the_check_in_page_runs_as_many_queries_at_the_ceiling_as_with_one_trigger(
    owner_client, owner, other
):
    def queries(client, user) -> int:
        with CaptureQueriesContext(connection) as done:
            assert client.get(reverse("checkin", args=[this_month()])).status_code == 200
        return len(done)

    mine = Trigger.objects.filter(user=other).first()
    make_checkin(other, previous_month(this_month()), {mine: 2})
    make_checkin(other, this_month(), {mine: 3})
    small = queries(client_for(other), other)
    retired = [t for t in fill(owner, active=MAX_ACTIVE_TRIGGERS, retired=MAX_RATINGS) if t.retired]
    active = list(Trigger.objects.filter(user=owner, retired__isnull=True))
    make_checkin(owner, previous_month(this_month()), dict.fromkeys(active, 2))
    make_checkin(owner, this_month(), dict.fromkeys(retired, 3))  # shown beside the active ones
    assert queries(owner_client, owner) == small


def test_the_checklist_runs_as_many_queries_at_the_ceiling_as_with_a_few_triggers(owner_client, owner, other):
    def queries(client) -> int:
        with CaptureQueriesContext(connection) as done:
            assert client.get(reverse("checklist")).status_code == 200
        return len(done)

    small = queries(client_for(other))
    triggers = fill(owner, active=MAX_ACTIVE_TRIGGERS, retired=MAX_TRIGGERS - MAX_ACTIVE_TRIGGERS)
    make_checkin(owner, this_month(), dict.fromkeys(triggers[:MAX_RATINGS], 1))
    assert queries(owner_client) == small
