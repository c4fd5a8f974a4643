"""Test support shared by several test modules."""

import threading
from datetime import date

from django.db import connection

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


def in_parallel(count: int, request) -> list[int]:
    """Sends `request(n)` from `count` threads at once; the status codes."""
    barrier = threading.Barrier(count)
    codes = []

    def run(n):
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


def fill_to_the_ceilings(user):
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
