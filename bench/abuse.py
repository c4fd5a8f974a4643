"""Every page for an account at every ceiling, against a typical account, in one run.

Run by hand: `.venv/bin/python bench/abuse.py [--runs 5] [--database-url postgres://...]`
(`make bench-abuse`). Builds, in a throw-away SQLite file (or in the database given, where it
replaces the accounts "demo" and "ceiling"), the demo account (3 years x 11 triggers) and one
at every ceiling in assessments/models.py: the most triggers, active and retired, each text
as long as it may be; a check-in every month from January 1970 to now, each rating the most
triggers a check-in holds, all Strong; private notes, talking points and notes on ratings as
long as they may be until the account's text ceiling, spent on the last 12 months, where an
export reads them all; the most jobs; the most changes to the checklist kept. Then times
each page in this process with Django's test client and prints the medians, the sizes and
the ratios. The target: no page over 5x the typical account's time, none over 2 MB.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATIO, TARGET_BYTES = 5, 2 * 2**20


def setup(database_url: str | None) -> None:
    database_url = database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'abuse.sqlite3'}"
    os.environ.update(DATABASE_URL=database_url, DEBUG="0", SECRET_KEY="bench-only", SECURE_SSL_REDIRECT="0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerapp.settings")
    import django

    django.setup()
    from django.conf import settings

    # Production settings, but static URLs without the collectstatic manifest.
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def max_length(model, name: str) -> int:
    """The longest a text field of `model` may be (every field asked about has a limit)."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    assert isinstance(length, int), name
    return length


def text(length: int) -> str:
    """Words, with a little Markdown and HTML in them, `length` characters long."""
    words = "The reorg was *announced* again; <b>nobody</b> asked the team & [why] it changed. "
    return (words * (length // len(words) + 1))[:length]


def build_ceiling_account():
    from django.contrib.auth import get_user_model

    from assessments import exports, models
    from assessments.models import CheckIn, Job, Level, Rating, Trigger
    from assessments.services import create_account

    get_user_model().objects.filter(username="ceiling").delete()
    user = create_account(username="ceiling", password="bench-password", default_checklist=False)
    longest = {name: max_length(Trigger, name) for name in ("title", "description", "theme")}
    Trigger.objects.bulk_create(
        Trigger(
            user=user,
            title=f"{n:03} {text(longest['title'] - 4)}",
            description=text(longest["description"]),
            theme=f"{n % 7} {text(longest['theme'] - 2)}",
            position=n,
            retired=None if n < models.MAX_ACTIVE_TRIGGERS else models.this_month(),
        )
        for n in range(models.MAX_TRIGGERS)
    )
    triggers = list(Trigger.objects.filter(user=user).order_by("position"))
    months = []
    month = models.FIRST_MONTH
    while month <= models.this_month():
        months.append(month)
        month = models.next_month(month)
    # Every field at its longest, as far as the account's text ceiling goes: spent on the
    # months one export can cover, where it costs the most.
    longest_notes = max_length(CheckIn, "notes")
    per_month = models.MAX_TEXT // exports.MAX_MONTHS
    note = text(min(max_length(Rating, "note"), (per_month - 2 * longest_notes) // models.MAX_RATINGS))
    worded = set(months[-exports.MAX_MONTHS :])
    checkins = CheckIn.objects.bulk_create(
        CheckIn(
            user=user,
            month=month,
            wellbeing=1 + n % 5,
            satisfaction=1 + n % 4,
            energy=1 + n % 3,
            hours=100,
            notes=text(longest_notes) if month in worded else "",
            talking_points=text(longest_notes) if month in worded else "",
        )
        for n, month in enumerate(months)
    )
    count = len(triggers)
    for n, checkin in enumerate(checkins):
        # A window moving along the checklist: every trigger and many pairs turn up.
        Rating.objects.bulk_create(
            Rating(
                checkin=checkin,
                trigger=triggers[(n * 13 + k) % count],
                level=Level.STRONG,
                note=note if checkin.month in worded else "",
            )
            for k in range(models.MAX_RATINGS)
        )
    assert models.text_used(user.pk) <= models.MAX_TEXT
    models.ChecklistChange.objects.bulk_create(
        models.ChecklistChange(
            user=user,
            trigger=triggers[n % count],
            kind=models.ChangeKind.REWORDED,
            title=text(longest["title"]),
            old_title=text(longest["title"]),
        )
        for n in range(models.MAX_CHANGES)
    )
    longest_job = max_length(Job, "employer")
    Job.objects.bulk_create(
        Job(
            user=user,
            employer=f"{n:02} {text(longest_job - 3)}",
            role=text(longest_job),
            start=models.add_months(models.FIRST_JOB_DAY, 16 * n),
            end=None if n == models.MAX_JOBS - 1 else models.add_months(models.FIRST_JOB_DAY, 16 * n + 15),
        )
        for n in range(models.MAX_JOBS)
    )
    return user


def pages(user) -> list[tuple[str, str, str, dict]]:
    """(name, method, url, data) for each page measured."""
    from django.urls import reverse

    from assessments import exports
    from assessments.models import Rating, Trigger, add_months, this_month

    everything = {
        "start": f"{add_months(this_month(), 1 - exports.MAX_MONTHS):%Y-%m}",
        "end": f"{this_month():%Y-%m}",
        "talking_points": "on",
        "notes": "on",
        "scores": "on",
        **{f"t_{pk}": exports.SHOW for pk in Trigger.objects.filter(user=user).values_list("pk", flat=True)},
    }
    active = Trigger.objects.filter(user=user, retired__isnull=True).order_by("position")
    # An answer this month's check-in can take: one it already has, else any active trigger.
    rated = Rating.objects.filter(checkin__user=user, checkin__month=this_month()).first()
    answer = rated.trigger_id if rated else active[0].pk
    checkin = reverse("checkin", args=[this_month()])
    return [
        ("dashboard, last 12 months", "get", "/?range=12m", {}),
        ("dashboard, 3 years", "get", "/?range=3y", {}),
        ("dashboard, all", "get", "/?range=all", {}),
        ("check-in", "get", checkin, {}),
        ("autosave an answer", "post", checkin, {f"level_{answer}": "2", f"note_{answer}": ""}),
        ("history", "get", reverse("history"), {}),
        # A word in every note of the ceiling account's, and in some of the demo's.
        ("search notes for a common word", "get", reverse("search"), {"q": "again"}),
        ("checklist", "get", reverse("checklist"), {}),
        ("move a trigger up", "post", reverse("trigger_action", args=[active.reverse()[0].pk, "up"]), {}),
        ("export page, default choices", "get", reverse("export"), {}),
        ("export preview, 12 months, all shared", "get", reverse("export"), everything),
        ("export Markdown, same", "post", reverse("export_download", args=["markdown"]), everything),
        ("export CSV, same", "post", reverse("export_download", args=["csv"]), everything),
        ("export printable page, same", "post", reverse("export_download", args=["print"]), everything),
        ("settings", "get", reverse("settings"), {}),
        ("backup download", "get", reverse("backup"), {}),
        # Last: a restore gives every trigger a new id.
        ("restore that backup", "post", reverse("restore"), {"backup": own_backup(user)}),
    ]


def own_backup(user):
    """The account's backup, as the restore form uploads it (each time from its start)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments import backup

    class Rewound(SimpleUploadedFile):
        def read(self, *args):
            self.seek(0)
            return super().read(*args)

    return Rewound("backup.json", backup.dumps(backup.dump(user)).encode(), "application/json")


def measure(requests: list[tuple], runs: int) -> list[tuple[float, int, int]]:
    """For each (client, method, url, data): the median server time in ms, the response's
    size in bytes and its status. The time is this process's CPU time (the database is
    SQLite in the same process), which other work on a shared machine disturbs less than
    the clock; the requests take turns, so what disturbs it weighs on each alike."""
    times: list[list[float]] = [[] for _ in requests]
    sizes = [(0, 0)] * len(requests)
    for run in range(runs + 1):  # the first warms caches and the template loader
        for n, (client, method, url, data) in enumerate(requests):
            start = time.process_time()
            response = getattr(client, method)(url, data)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if run:
                times[n].append((time.process_time() - start) * 1000)
            sizes[n] = len(body), response.status_code
    return [(statistics.median(t), size, status) for t, (size, status) in zip(times, sizes, strict=True)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="an empty database to use instead of a throw-away SQLite file")
    args = parser.parse_args()
    setup(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from assessments.management.commands.seed_demo import USERNAME
    from assessments.models import CheckIn, Rating, Trigger

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    ceiling = build_ceiling_account()
    from django.contrib.auth import get_user_model

    typical = get_user_model().objects.get(username=USERNAME)
    print(f"database: {connection.vendor}; built in {time.perf_counter() - started:.0f} s")
    for name, user in (("typical", typical), ("ceiling", ceiling)):
        print(
            f"{name}: {Trigger.objects.filter(user=user).count()} triggers, "
            f"{CheckIn.objects.filter(user=user).count()} check-ins, "
            f"{Rating.objects.filter(checkin__user=user).count()} ratings"
        )

    rows = []
    clients = {}
    for name, user in (("typical", typical), ("ceiling", ceiling)):
        clients[name] = Client()
        clients[name].force_login(user)
    for (label, method, url, data), (_, _, ceiling_url, ceiling_data) in zip(
        pages(typical), pages(ceiling), strict=True
    ):
        (typical_ms, typical_size, typical_status), (ceiling_ms, ceiling_size, ceiling_status) = measure(
            [
                (clients["typical"], method, url, data),
                (clients["ceiling"], method, ceiling_url, ceiling_data),
            ],
            args.runs,
        )
        rows.append(
            (label, typical_ms, typical_size, typical_status, ceiling_ms, ceiling_size, ceiling_status)
        )

    print(f"\nmedians of {args.runs} runs; sizes uncompressed")
    header = f"{'page':40} {'typical':>18} {'ceiling':>18} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    failed = []
    for label, t_ms, t_size, t_status, c_ms, c_size, c_status in rows:
        ratio = c_ms / t_ms
        flags = "" if ratio <= TARGET_RATIO and c_size <= TARGET_BYTES else "  over target"
        if flags:
            failed.append(label)
        statuses = "" if t_status == c_status else f"  (status {t_status} / {c_status})"
        print(
            f"{label:40} {t_ms:7.1f} ms {t_size / 1024:6.0f} KB {c_ms:7.1f} ms {c_size / 1024:6.0f} KB "
            f"{ratio:5.1f}x{flags}{statuses}"
        )
    print(f"\n{len(rows) - len(failed)} of {len(rows)} pages within {TARGET_RATIO}x and 2 MB.")


if __name__ == "__main__":
    main()
