import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, settings
from time_machine import TimeMachineFixture
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling

from assessments import exports, sharing
from assessments.models import Job, UserSettings, this_month

from .factories import make_checkin, make_trigger, make_user
from .helpers import NOW, client_for

# Hypothesis: quick and varied on a laptop, the same examples every run in CI (so a run
# takes as long as the last one, and a failure there shows up again here with the seed
# it prints). Every property test shares its test's database between its examples and
# asserts what must hold in each, so the function-scoped fixtures are fine. No deadline:
# each example runs real queries, whose time depends on the machine's load.
settings.register_profile(
    "dev",
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "ci", settings.get_profile("dev"), max_examples=60, derandomize=True, database=None, print_blob=True
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


# Under pytest-xdist (`make test`), each test goes to whichever process is free, except the
# tests of these modules, which go to one process together: their module's fixture is
# costly (the production tests build and serve the app). xdist's own xdist_group mark does
# this, but not under pytest 9.
TOGETHER = ("tests/e2e/test_production_browser.py",)


class Scheduling(LoadScopeScheduling):
    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::")[0]
        return module if module in TOGETHER else nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> Scheduling:
    return Scheduling(config, log)


def _delete_all(
    ops: Any, style: Any, tables: list[str], *, reset_sequences: bool = False, **_: Any
) -> list[str]:
    assert not reset_sequences, "no test resets the sequences"
    return [f"DELETE FROM {ops.quote_name(table)};" for table in tables]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """PostgreSQL's test database, set for tests that each write a few rows.

    Django empties it after each test that commits (the browser tests) with TRUNCATE, which
    gives every table and index new files: 128 ms a test. DELETE takes under 10 ms; the foreign
    keys are checked at commit, so the order doesn't matter.

    No autovacuum: seeing the rows that tests roll back as dead, it vacuums a table now and
    then, leaving statistics that say it is empty; a test that then bulk-writes years of
    data meets plans made for none and takes seconds. tests/test_backup.py puts the tables
    in that state on purpose."""
    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} SET (autovacuum_enabled = false)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(connection.ops), "sql_flush", _delete_all)
        yield


@pytest.fixture(autouse=True)
def clock(request: pytest.FixtureRequest, time_machine: TimeMachineFixture) -> TimeMachineFixture:
    """Every test starts at NOW, or where its @pytest.mark.time_machine(...) says; the clock
    ticks on from there. `time_machine.move_to(...)` or `.shift(...)` moves it in a test."""
    if request.node.get_closest_marker("time_machine") is None:
        time_machine.move_to(NOW)
    return time_machine


@pytest.fixture
def default_checklist() -> bool:
    """Whether `owner` and `other` start with the default checklist, as sign-up gives.
    A test module whose triggers are all its own overrides this fixture to say False."""
    return True


@pytest.fixture
def owner(db: None, default_checklist: bool) -> User:
    return make_user("owner", default_checklist=default_checklist)


@pytest.fixture
def other(db: None, default_checklist: bool) -> User:
    return make_user("other", default_checklist=default_checklist)


@pytest.fixture
def owner_client(client: Client, owner: User) -> Client:
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(other: User) -> Client:
    return client_for(other)


@pytest.fixture
def world(owner: User, other: User) -> dict[str, Any]:
    """The owner, with a secret in every field (tests.helpers.SECRETS), and another
    user: what the tests that walk every URL (tests.helpers.url_for) point at."""
    trigger = make_trigger(owner, "Owner secret trigger", theme="Secret theme")
    checkin = make_checkin(
        owner, this_month(), {trigger: 3}, notes="Owner secret note", talking_points="Owner talking point"
    )
    checkin.ratings.update(note="Owner secret note")
    job = Job.objects.create(user=owner, employer="Owner secret employer", start=this_month())
    token = UserSettings.of(owner).new_calendar_token()
    choices = exports.saved_choices(owner, [trigger])
    link, _ = sharing.create(user=owner, export=exports.build(owner, choices), days=7)
    return {"owner": owner, "other": other, "trigger": trigger, "job": job, "token": token, "link": link}
