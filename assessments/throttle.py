"""Log-in throttling that cools off by itself.

Failures are counted per username *and* address, so someone guessing from elsewhere
can't lock the owner out, and every lock lifts after COOL_OFF. The count lives in the
database, so it holds across app servers.
"""

import hashlib
from datetime import timedelta

from django.utils import timezone

from .models import LoginFailure

LIMIT = 5
COOL_OFF = timedelta(minutes=15)


def _key(request, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()


def wait(request, username: str) -> timedelta | None:
    """How long until this username may try again from this address, or None."""
    since = timezone.now() - COOL_OFF
    recent = list(
        LoginFailure.objects.filter(key=_key(request, username), at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)[:LIMIT]
    )
    if len(recent) < LIMIT:
        return None
    return recent[-1] + COOL_OFF - timezone.now()


def refusal(pause: timedelta) -> str:
    """What a refused log-in says, in the app and in the admin alike."""
    minutes = max(1, round(pause.total_seconds() / 60))
    return f"Too many failed attempts. Try again in {minutes} minute{'' if minutes == 1 else 's'}."


def failed(request, username: str) -> None:
    LoginFailure.objects.create(key=_key(request, username))
    LoginFailure.objects.filter(at__lt=timezone.now() - COOL_OFF).delete()


def succeeded(request, username: str) -> None:
    LoginFailure.objects.filter(key=_key(request, username)).delete()
