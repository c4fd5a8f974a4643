"""Autosave under load, against gunicorn with 2 workers, on SQLite or PostgreSQL.

Run by hand: `.venv/bin/python bench/load.py [--users 20] [--seconds 30]
[--database-url postgres://...]`. Logs in N users, has them autosave answers
concurrently, then checks in the database that every acknowledged save is there. The
same load on a trivial logged-in page gives the baseline for the ratio.
"""

import argparse
import http.client
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.server import environment, free_port, manage, start_server, stop_server  # noqa: E402

PASSWORD = "load-test-password"
Ack = tuple[tuple[str, int], int]  # (username, trigger id) and the level the server acknowledged
Work = Callable[["Session", random.Random], tuple[bool, Ack | None]]


def prepare(env: dict[str, str], users: int) -> None:
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    script = (
        "from django.contrib.auth import get_user_model as g\n"
        "from assessments.models import CheckIn\n"
        "U = g()\n"
        f"for n in range({users}):\n"
        f"    u, made = U.objects.get_or_create(username=f'load{{n}}')\n"
        f"    u.set_password('{PASSWORD}'); u.save()\n"
        "    CheckIn.objects.filter(user=u).delete()\n"
    )
    manage(env, "shell", "-c", script)


class Session:
    """One logged-in browser: a keep-alive connection with cookies."""

    def __init__(self, port: int, username: str):
        self.port, self.username = port, username
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        page = self.request("GET", "/accounts/login/")[1]
        token = found(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        assert status == 302, f"log-in failed for {username}: {status}"
        page = self.request("GET", "/check-in/", follow=True)[1]
        self.checkin_path = found(r'<form method="post" action="(/check-in/\d{4}-\d{2}/)"', page)
        self.triggers = [int(pk) for pk in re.findall(r'name="level_(\d+)"', page)][::4]

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = False,
    ) -> tuple[int, str]:
        headers = {
            **(headers or {}),
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": f"http://127.0.0.1:{self.port}/",
        }
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        text = response.read().decode()
        location = response.getheader("Location")
        if follow and response.status in (301, 302) and location:
            return self.request("GET", location, follow=True)
        return response.status, text


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, f"no {pattern} in the page"
    return match.group(1)


def run(sessions: list[Session], seconds: float, work: Work) -> dict[str, Any]:
    """Every session runs `work` in a loop for `seconds`; returns timings and counts."""
    timings: list[float] = []
    errors = [0]
    acks: dict[tuple[str, int], int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop(session: Session) -> None:
        rng = random.Random(id(session))
        while time.monotonic() < deadline:
            start = time.perf_counter()
            ack: Ack | None = None
            try:
                ok, ack = work(session, rng)
            except (http.client.HTTPException, OSError):
                ok = False
            elapsed = time.perf_counter() - start
            with lock:
                timings.append(elapsed)
                if not ok:
                    errors[0] += 1
                elif ack:
                    acks[ack[0]] = ack[1]  # the last acknowledged value wins

    threads = [threading.Thread(target=loop, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"timings": timings, "errors": errors[0], "acks": acks, "seconds": seconds}


def autosave(session: Session, rng: random.Random) -> tuple[bool, Ack | None]:
    trigger, level = rng.choice(session.triggers), rng.randint(0, 3)
    status, body = session.request(
        "POST", session.checkin_path, {f"level_{trigger}": level}, {"HX-Request": "true"}
    )
    ok = status == 200 and "Saved" in body
    return ok, ((session.username, trigger), level) if ok else None


def trivial(session: Session, rng: random.Random) -> tuple[bool, Ack | None]:
    status, _ = session.request("GET", "/accounts/password/done/")
    return status == 200, None


def lost_saves(env: dict[str, str], acks: dict[tuple[str, int], int]) -> int:
    """Acknowledged saves whose value the database doesn't hold."""
    script = (
        "import json\n"
        "from assessments.models import Rating\n"
        "print(json.dumps([[r.checkin.user.username, r.trigger_id, r.level] for r in "
        "Rating.objects.select_related('checkin__user')]))\n"
    )
    stored = {
        (u, t): level
        for u, t, level in json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])
    }
    return sum(1 for key, level in acks.items() if stored.get(key) != level)


def report(name: str, result: dict[str, Any]) -> float:
    timings = sorted(result["timings"])
    rate = len(timings) / result["seconds"]
    q = statistics.quantiles(timings, n=100) if len(timings) > 1 else [timings[0]] * 99
    print(
        f"{name}: {len(timings)} requests, {rate:.1f}/s, p50 {q[49] * 1000:.1f} ms, "
        f"p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, errors: {result['errors']}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--database-url", default=f"sqlite:///{tempfile.mkdtemp()}/load.sqlite3")
    args = parser.parse_args()
    env = environment(args.database_url)
    print(f"database: {args.database_url.split('://')[0]}, users: {args.users}, {args.seconds:.0f} s each")
    prepare(env, args.users)
    port = free_port()
    server = start_server(env, port)
    try:
        sessions = [Session(port, f"load{n}") for n in range(args.users)]
        saves = run(sessions, args.seconds, autosave)
        page = run(sessions, args.seconds, trivial)
    finally:
        stop_server(server)
    save_rate = report("autosave", saves)
    page_rate = report("trivial page", page)
    print(f"lost: {lost_saves(env, saves['acks'])}")
    print(f"errors: {saves['errors'] + page['errors']}")
    print(f"ratio: {save_rate / page_rate:.2f} (autosave throughput / trivial page throughput)")


if __name__ == "__main__":
    main()
