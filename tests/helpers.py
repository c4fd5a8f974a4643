"""What more than one test file needs: plain constants and functions. Fixtures live in
conftest.py, test data is made in factories.py."""

import re
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import unescape
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

import pytest
from _pytest.mark import ParameterSet
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request
from pytest_django.live_server_helper import LiveServer

from assessments import backup
from assessments.models import (
    FIRST_MONTH,
    MAX_ACTIVE_TRIGGERS,
    MAX_RATINGS,
    MAX_TRIGGERS,
    CheckIn,
    Level,
    Rating,
    Trigger,
    add_months,
    months_in,
    this_month,
)

if TYPE_CHECKING:  # the test client's answer: a response that also holds its request, context, …
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    from django.http import HttpResponse as Response

# The moment every test starts at, unless it travels elsewhere with
# @pytest.mark.time_machine(...). The clock ticks on from there, so a test can never see
# the month turn; mid-month, so "a day after today" exists in it (see tests/conftest.py).
NOW = datetime(2025, 6, 17, 10, 0, tzinfo=UTC)


class Headers(TypedDict, total=False):
    """Request headers for Django's test client, named as WSGI names them."""

    HTTP_HX_REQUEST: str


HTMX: Headers = {"HTTP_HX_REQUEST": "true"}


def htmx_headers(htmx: bool) -> Headers:
    """The headers htmx sends, or none: a request as htmx or as a plain form or link."""
    return HTMX if htmx else {}


def ago(months: int) -> date:
    """The first day of the month `months` before this one."""
    return add_months(this_month(), -months)


def visible_text(html: str) -> str:
    """The text a person reads: tags removed, entities decoded, whitespace squeezed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def search(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    """The first match of `pattern` in `text`, where there must be one."""
    found = re.search(pattern, text, flags)
    assert found, f"no {pattern!r} in {text[:300]!r}"
    return found


def client_for(user: User, **options: Any) -> Client:
    """A client logged in as `user`; `options` go to Client (enforce_csrf_checks=True, …)."""
    client = Client(**options)
    client.force_login(user)
    return client


def as_user(user: User | None) -> Client:
    """A client for `user` (None: nobody logged in) that answers a server error with a 500
    page, as a browser gets it, instead of raising it in the test."""
    if user is None:
        return Client(raise_request_exception=False)
    return client_for(user, raise_request_exception=False)


def assert_fragment(response: Response, element_id: str) -> None:
    """The answer is the element `element_id` alone, as htmx swaps it in: no page around it."""
    assert re.match(rf'\s*<\w+ id="{element_id}"', response.text), response.text[:200]
    assert "<html" not in response.text


@dataclass
class FormPost:
    """POSTs as htmx or as a plain form, the two ways every form here is sent."""

    client: Client
    htmx: bool

    @property
    def refused(self) -> int:
        """A refusal's status: htmx swaps in a 422's fragment, a plain form gets its page with 400."""
        return 422 if self.htmx else 400

    def send(self, url: str, data: dict[str, Any] | None = None) -> Response:
        return self.client.post(url, data or {}, **htmx_headers(self.htmx))

    def assert_done(self, response: Response, *, fragment: str, page: str) -> None:
        """Success: htmx gets the `fragment` element anew, a plain form a redirect to `page`."""
        if self.htmx:
            assert response.status_code == 200
            assert_fragment(response, fragment)
        else:
            assert response.status_code == 302
            assert response["Location"] == page


class BrokenEmailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError("The mail server is down")


BROKEN_MAIL_SERVER = f"{__name__}.BrokenEmailBackend"  # for settings.EMAIL_BACKEND


# What "nothing changed" compares ----------------------------------------------------------


Row = Mapping[str, object]


def snapshot() -> tuple[list[Row], list[Row]]:
    """Every check-in and rating row of every user, every field."""
    return list(CheckIn.objects.order_by("pk").values()), list(Rating.objects.order_by("pk").values())


def account_snapshot(user: User) -> dict[str, Any]:
    """The account's content as a backup holds it, without the time the backup was taken."""
    data = backup.dump(user)
    data.pop("exported")
    return data


# Many at once, and an account full to every ceiling ---------------------------------------


def in_parallel(count: int, request: Callable[[int], Response]) -> list[int]:
    """Sends `request(n)` from `count` threads at once; the status codes."""
    barrier = threading.Barrier(count)
    codes = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            codes.append(request(n).status_code)
        finally:
            connection.close()  # each thread has its own

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def fill_to_the_ceilings(user: User) -> None:
    """MAX_TRIGGERS triggers (MAX_ACTIVE_TRIGGERS active); a check-in every month from 1970,
    each rating MAX_RATINGS of them Strong, in a window moving along the checklist."""
    Trigger.objects.bulk_create(
        Trigger(
            user=user,
            title=f"Trigger {n}",
            position=n,
            retired=None if n < MAX_ACTIVE_TRIGGERS else date(2020, 1, 1),
        )
        for n in range(MAX_TRIGGERS)
    )
    triggers = list(Trigger.objects.filter(user=user))
    months = months_in(FIRST_MONTH, this_month())
    checkins = CheckIn.objects.bulk_create(
        CheckIn(user=user, month=add_months(FIRST_MONTH, n), wellbeing=3) for n in range(months)
    )
    Rating.objects.bulk_create(
        Rating(checkin=checkin, trigger=triggers[(n * 13 + k) % MAX_TRIGGERS], level=Level.STRONG)
        for n, checkin in enumerate(checkins)
        for k in range(MAX_RATINGS)
    )


# Every URL of the project ------------------------------------------------------------------

# What the `world` fixture's owner wrote, one secret in every field: nobody else may see it.
SECRETS = ("Owner secret trigger", "Owner secret note", "Owner secret employer", "Owner talking point")


def named_patterns(resolver: URLResolver | None = None) -> Iterator[URLPattern]:
    """Every named URL pattern, from the resolver, so a new view can't be forgotten."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":  # Django's own, with its own permission checks
                yield from named_patterns(pattern)
        elif pattern.name:
            yield pattern


def patterns(*, leave_out: Collection[str] = ()) -> list[ParameterSet]:
    """Every named URL pattern as a parameter, named after it."""
    return [pytest.param(p, id=p.name) for p in named_patterns() if p.name not in leave_out]


def url_for(pattern: URLPattern, world: dict[str, Any]) -> str:
    """The pattern's URL, pointing at the owner's objects of the `world` fixture."""
    assert pattern.name is not None
    values = {
        "month": this_month(),
        "year": this_month().year,
        "action": "private",
        "fmt": "markdown",
        "token": world["token"],
        "uidb64": "MQ",
        "pk": world[
            pattern.name.split("_")[0] if pattern.name.startswith(("job_", "link_")) else "trigger"
        ].pk,
    }
    return reverse(pattern.name, kwargs={name: values[name] for name in pattern.pattern.converters})


# In the browser ----------------------------------------------------------------------------


def set_marker(page: Page) -> None:
    """A value that survives only as long as the page is not loaded again."""
    page.evaluate("window.__sameDocument = 'still here'")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument") == "still here", "the page was loaded again"


def log_in(page: Page, live_server: LiveServer, user: User) -> None:
    """Give the browser a session for `user`, so a test can go straight to its page (the
    log-in form has tests of its own)."""
    session = client_for(user).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


@dataclass
class Trouble:
    """What the pages of a browser context ran into that a page must never cause."""

    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


# Runs in every page before its own scripts (an init script, so the policy under test
# doesn't block it) and reports each Content-Security-Policy violation to the test.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                            + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


_watched: WeakKeyDictionary[BrowserContext, Trouble] = WeakKeyDictionary()


def watch(context: BrowserContext, origin: str) -> None:
    """Record, for every page the context opens, console errors, CSP violations and
    requests to anywhere but `origin`; `assert_no_trouble` checks them."""
    trouble = _watched[context] = Trouble()
    home = urlsplit(origin).netloc

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            trouble.console_errors.append(message.text)

    def request(request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != home:
            trouble.foreign_requests.append(request.url)

    context.on("console", console)
    context.on("request", request)
    context.expose_binding("reportCspViolation", lambda _, text: trouble.csp_violations.append(text))
    context.add_init_script(REPORT_CSP_VIOLATIONS)


def assert_no_trouble(page: Page, *, allowed_console: tuple[str, ...] = ()) -> None:
    """No console error (but those containing an `allowed_console` text), no CSP violation
    and no request to another origin, in any page of `page`'s context so far."""
    trouble = _watched[page.context]
    assert [e for e in trouble.console_errors if not any(a in e for a in allowed_console)] == []
    assert trouble.csp_violations == []
    assert trouble.foreign_requests == []
