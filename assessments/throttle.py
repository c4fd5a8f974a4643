"""Slows down password guessing and mass sign-up, without letting anyone lock the owner out.

Every form that checks a password — log-in, the admin's log-in, password change and
account deletion — first calls `attempt(request, username)`; sign-up calls
`sign_up(request)`. Either counts the try, or refuses it with a ValidationError whose
code is "throttled" (the app's views answer 429).

The rules
- The username is the one authentication uses (NFKC, as Django's UsernameField), then
  case-folded: "ｏｗｎｅｒ", "𝐨𝐰𝐧𝐞𝐫", "ᵒʷⁿᵉʳ" and "OWNER" are all "owner".
- A browser that logged in as that username has a device cookie for it (signed, a year
  long, kept through log-out). Its tries count on the cookie alone, LIMIT failures per
  COOL_OFF: nobody else's failures block it, but its own do.
- Any other try counts per username and address (LIMIT failures per COOL_OFF) and per
  address across usernames (ADDRESS_LIMIT per COOL_OFF), against guessing and spraying.
- The address is REMOTE_ADDR, or with BEHIND_PROXY the entry of X-Forwarded-For that the
  outermost of TRUSTED_PROXY_COUNT proxies added (what a client adds stays on the left).
  An IPv6 address counts as its /64, which one machine can easily fill.
- Sign-up: SIGNUP_LIMIT per address per SIGNUP_WINDOW, counting accounts made and
  usernames found taken; a sign-up refused for anything else (a password too short, say)
  costs nothing.
- Every lock lifts by itself when the failures behind it are older than the window.

Why parallel tries can't slip through: a try is written before the password is checked,
in its own transaction (these views run outside any), and only then are the rows of its
keys counted, its own included. Taken in the order they were committed, the n-th try of a
key counts at least n rows, so at most LIMIT tries see LIMIT or fewer, however many come at
once, on SQLite and PostgreSQL alike. A refused try deletes its row: it checked nothing. A
right password deletes its rows and the failures on its key. A wrong one keeps its row, so
even a crash half-way counts as a failure.

Keys are keyed hashes, so the table names neither usernames nor addresses; rows older
than the longest window are deleted on every try.
"""

import ipaddress
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UsernameField
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Attempt

LIMIT = 5
ADDRESS_LIMIT = 20
COOL_OFF = timedelta(minutes=15)
SIGNUP_LIMIT = 5
SIGNUP_WINDOW = timedelta(hours=1)

DEVICE_COOKIE = "device"
DEVICE_COOKIE_AGE = timedelta(days=365)
DEVICE_SALT = "careerapp.throttle.device"


class Counted:
    """One try, counted; a failure needs nothing more."""

    def __init__(self, rows: list[int], key: str):
        self.rows, self.key = rows, key

    def succeeded(self) -> None:
        """The password was right: this try and the failures on its key no longer count."""
        Attempt.objects.filter(Q(pk__in=self.rows) | Q(key=self.key)).delete()

    def forget(self) -> None:
        """This try doesn't count after all."""
        Attempt.objects.filter(pk__in=self.rows).delete()


def attempt(request, username: str) -> Counted:
    """Counts a password check for `username`, or refuses it."""
    name = normalise(username)
    device = _device(request, name)
    if device:
        budgets = {_key("device", device): LIMIT}
    else:
        address = client_address(request)
        budgets = {_key("user", name, address): LIMIT, _key("address", address): ADDRESS_LIMIT}
    return _count(budgets, COOL_OFF, "Too many failed attempts")


def sign_up(request) -> Counted:
    """Counts a sign-up from this address, or refuses it."""
    budgets = {_key("sign-up", client_address(request)): SIGNUP_LIMIT}
    return _count(budgets, SIGNUP_WINDOW, "Too many sign-ups from your address")


def refused(form) -> bool:
    return any(error.code == "throttled" for errors in form.errors.as_data().values() for error in errors)


def normalise(username: str) -> str:
    field = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
    # As AuthenticationForm cleans it (to_python gives text, "" for nothing).
    name = UsernameField(max_length=getattr(field, "max_length", None)).to_python(username) or ""
    return unicodedata.normalize("NFKC", name.casefold())


def client_address(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_PROXY and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        if len(entries) >= settings.TRUSTED_PROXY_COUNT:  # fewer: it didn't come through the proxies
            address = entries[-settings.TRUSTED_PROXY_COUNT]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network((ip, 64), strict=False)) if ip.version == 6 else str(ip)


def remember_device(response, user) -> None:
    """Gives the browser that just logged in as `user` a device cookie for them."""
    value = f"{secrets.token_hex(16)}-{_key('cookie', normalise(user.get_username()))}"
    response.set_signed_cookie(
        DEVICE_COOKIE,
        value,
        salt=DEVICE_SALT,
        max_age=int(DEVICE_COOKIE_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _device(request, name: str) -> str | None:
    """The device cookie's own part, if the browser has a valid one for this username."""
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default=None, salt=DEVICE_SALT, max_age=DEVICE_COOKIE_AGE
    )
    device, _, user = (value or "").partition("-")
    return device if device and user == _key("cookie", name) else None


def _key(*parts: str) -> str:
    return salted_hmac("careerapp.throttle", "\n".join(parts), algorithm="sha256").hexdigest()


def _count(budgets: dict[str, int], window: timedelta, reason: str) -> Counted:
    """Writes the try on each key, then counts each key's tries in the window, its own included."""
    now = timezone.now()
    rows = [row.pk for row in Attempt.objects.bulk_create(Attempt(key=key, at=now) for key in budgets)]
    counts = dict(
        Attempt.objects.filter(key__in=budgets, at__gte=now - window)
        .values("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
    Attempt.objects.filter(at__lt=now - max(COOL_OFF, SIGNUP_WINDOW)).delete()
    over = [key for key, limit in budgets.items() if counts.get(key, 0) > limit]
    if not over:
        return Counted(rows, key=next(iter(budgets)))  # the first key is the one a success clears
    Attempt.objects.filter(pk__in=rows).delete()
    pause = max(_pause(key, budgets[key], window) for key in over)
    minutes = max(1, round(pause.total_seconds() / 60))
    raise ValidationError(
        f"{reason}. Try again in {minutes} minute{'' if minutes == 1 else 's'}.", code="throttled"
    )


def _pause(key: str, limit: int, window: timedelta) -> timedelta:
    """How long until fewer than `limit` of the key's tries are left in the window."""
    now = timezone.now()
    times = Attempt.objects.filter(key=key, at__gte=now - window).order_by("-at").values_list("at", flat=True)
    going = list(times[limit - 1 : limit])
    return going[0] + window - now if going else timedelta(0)
