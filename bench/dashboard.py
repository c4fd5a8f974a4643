"""Dashboard server time against the history page, for 20 years × 20 triggers.

Run by hand: `make bench` (or `.venv/bin/python bench/dashboard.py`). Builds the data in
a throw-away SQLite file, then times both pages in this process with Django's test
client and prints the medians and their ratio.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ.update(DATABASE_URL=f"sqlite:///{DB}", DEBUG="0", SECRET_KEY="bench-only", SECURE_SSL_REDIRECT="0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerapp.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from assessments.models import CheckIn, Rating, Trigger, add_months, this_month  # noqa: E402
from assessments.services import create_account  # noqa: E402

YEARS, TRIGGERS, RUNS = 20, 20, 25


def build():
    call_command("migrate", verbosity=0)
    user = create_account(username="bench", password="bench-password")
    for n in range(TRIGGERS - user.triggers.count()):
        Trigger.objects.add(user=user, title=f"Extra trigger {n + 1}", theme="Team")
    triggers = list(user.triggers.all())
    first = add_months(this_month(), -12 * YEARS)
    CheckIn.objects.bulk_create(
        CheckIn(user=user, month=add_months(first, i), wellbeing=3, satisfaction=3, energy=3, hours=40)
        for i in range(12 * YEARS)
    )
    Rating.objects.bulk_create(
        Rating(checkin=checkin, trigger=trigger, level=(checkin.pk * 7 + trigger.pk) % 4)
        for checkin in CheckIn.objects.filter(user=user)
        for trigger in triggers
    )
    return user


def median_ms(client: Client, url: str) -> float:
    client.get(url)  # warm up caches and the template loader
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main():
    # Production settings, but static URLs without the collectstatic manifest.
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    user = build()
    client = Client()
    client.force_login(user)
    history = median_ms(client, "/history/")
    print(f"data: {YEARS} years x {TRIGGERS} triggers = {Rating.objects.count()} ratings")
    print(f"history: {history:.1f} ms")
    for url in ("/", "/?range=3y", "/?range=all"):
        dashboard = median_ms(client, url)
        print(f"dashboard {url}: {dashboard:.1f} ms  ratio: {dashboard / history:.2f}")


if __name__ == "__main__":
    main()
