"""Email addresses: changing one, verifying it with a signed link, and how often the app
may write to an address at someone's request.

Nothing but the verification link goes to an address until its owner opened that link,
so nobody can make the server write to a stranger every month. The link names the
account and the address; it can't verify any other address, and it expires.
"""

import hashlib
import logging
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .models import SentEmail, UserSettings

logger = logging.getLogger(__name__)

SALT = "careerapp.verify-email"
LINK_LIFETIME = timedelta(days=3)
# Emails sent at someone's request: at most one a minute and DAILY a day, counted both
# for the account asking and for the address written to.
INTERVAL = timedelta(minutes=1)
DAILY = 5
DAY = timedelta(days=1)

TAKEN = (
    "This address is already verified on another account, and an address can belong to one "
    "account only. Nothing was changed. Log in to that account, or use another address."
)


def configured() -> bool:
    """Whether email reaches people: an SMTP host is set, or locally the console shows it."""
    return bool(settings.EMAIL_HOST) or settings.DEBUG


def absolute(path: str, request=None) -> str:
    """`path` on the site, for a link in an email."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    raise ImproperlyConfigured("Set SITE_URL to the address people reach the app at, for links in emails.")


# How often -----------------------------------------------------------------------------


def _hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def wait(user, address: str) -> timedelta | None:
    """How long until the app may write to `address` for `user`, or None if it may now."""
    now = timezone.now()
    recent = list(
        SentEmail.objects.filter(Q(user=user) | Q(to=_hash(address)), at__gte=now - DAY)
        .order_by("-at")
        .values_list("at", flat=True)[:DAILY]
    )
    if len(recent) >= DAILY:
        return recent[-1] + DAY - now
    if recent and recent[0] > now - INTERVAL:
        return recent[0] + INTERVAL - now
    return None


def record(user, address: str) -> None:
    SentEmail.objects.create(user=user, to=_hash(address))
    SentEmail.objects.filter(at__lt=timezone.now() - DAY).delete()


def in_words(pause: timedelta) -> str:
    seconds = max(1, math.ceil(pause.total_seconds()))
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= 1.5 * size:
            count = math.ceil(seconds / size)
            return f"{count} {unit}s"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


# Changing and verifying ------------------------------------------------------------------


class NotSent(Exception):
    """Why no link went out, in words for the person who asked."""


class LinkRefused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@transaction.atomic
def change_address(*, user, address: str) -> bool:
    """Give the account `address` (or none). True when a link should go out to verify it.

    A new address is unverified: reminders stop until it is verified, and the previous
    one is free for another account. Changing only the letters' case keeps it verified.
    """
    user_settings = UserSettings.of(user)
    if address == user.email:
        return False
    same = bool(address) and address.lower() == user.email.lower() and user_settings.verifies(user.email)
    user.email = address
    user.save(update_fields=["email"])
    user_settings.verified_email = address if same else None
    user_settings.save(update_fields=["verified_email"])
    return bool(address) and not same


def make_token(user, address: str) -> str:
    return signing.dumps([user.pk, address], salt=SALT)


def check_link(token: str, visitor):
    """The account and address a verification link names, or LinkRefused saying why."""
    try:
        pk, address = signing.loads(token, salt=SALT, max_age=LINK_LIFETIME)
    except signing.SignatureExpired:
        raise LinkRefused(
            "This link has expired: links work for 3 days. Log in and send a new one from Settings."
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkRefused(
            "This link is broken. Copy the whole link from the email, or send a new one."
        ) from None
    if visitor.is_authenticated and visitor.pk != pk:
        raise LinkRefused(
            "This link verifies an address for another account. Log out, then open the link again.", 403
        )
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None or user.email.lower() != address.lower():
        raise LinkRefused(
            "This link is for an address that is no longer on the account. "
            "Open the most recent link, or send a new one from Settings."
        )
    if UserSettings.objects.filter(verified_email__iexact=address).exclude(user=user).exists():
        raise LinkRefused(TAKEN, 409)
    return user, address


def verify(user) -> None:
    """Mark the account's address verified; `user` comes from check_link, just now."""
    try:
        with transaction.atomic():
            # Only if the address is still the one the link named.
            done = UserSettings.objects.filter(user=user, user__email=user.email).update(
                verified_email=user.email
            )
    except IntegrityError:  # another account verified it a moment ago
        raise LinkRefused(TAKEN, 409) from None
    if not done:
        raise LinkRefused("This link is for an address that is no longer on the account.")


def send_verification(user, request=None) -> None:
    """Email `user` a link to verify their current address, or raise NotSent."""
    address = user.email
    pause = wait(user, address)
    if pause is not None:
        raise NotSent(f"A link was sent a short while ago. You can send another in {in_words(pause)}.")
    link = absolute(reverse("verify_email", args=[make_token(user, address)]), request)
    body = (
        "Hello,\n\n"
        f"Someone asked careerapp to send monthly check-in reminders and password resets to "
        f"this address ({address}). If it was you, open this link within 3 days and press "
        f"“Verify address”:\n\n{link}\n\n"
        "If it wasn’t you, ignore this email. careerapp sends nothing else to an address "
        "until it is verified.\n"
    )
    try:
        send_mail("Verify your email address for careerapp", body, None, [address])
    except OSError as error:  # the server is down or refused: what was saved stays saved
        logger.warning("Could not send a verification email to account %s: %s", user.pk, error)
        raise NotSent(
            "The email couldn’t be sent just now. Try “Send the link again” in a few minutes."
        ) from None
    record(user, address)
