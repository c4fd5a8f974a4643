"""Links for a manager: a read-only copy of one export at a secret address.

The address holds `secrets.token_urlsafe(32)`; the database keeps only its SHA-256, so the
link is shown once, when it is made, and nobody can read it back later, the app included.
"""

import hashlib
import secrets
from datetime import timedelta

from django import forms
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from .exports import Export
from .models import LimitReached, LinkOpening, SharedLink, lock_account

LIFETIMES = [(1, "1 day"), (7, "7 days"), (14, "14 days"), (30, "30 days")]
MAX_LINKS = 20  # live ones, per person
LINKS_FULL = (
    f"You have {MAX_LINKS} live links, the most at once. Revoke one you no longer need, then make "
    "the new one."
)
KEEP_OPENINGS = 50  # the times of the latest openings; `opens` counts them all


class LinkForm(forms.Form):
    days = forms.TypedChoiceField(
        label="The link works for",
        choices=LIFETIMES,
        coerce=int,
        initial=14,
        widget=forms.Select(attrs={"form": "export-form"}),
    )


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create(*, user, export: Export, days: int) -> tuple[SharedLink, str]:
    """A new link to a copy of `export`, and its secret token (which is kept nowhere), or
    LimitReached when the person has as many live links as they may."""
    lock_account(user.pk)
    now = timezone.now()
    # Whoever's they were, expired copies have no reason to stay.
    SharedLink.objects.filter(expires__lte=now).delete()
    if SharedLink.objects.filter(user=user).count() >= MAX_LINKS:
        raise LimitReached(LINKS_FULL)
    token = secrets.token_urlsafe(32)
    link = SharedLink.objects.create(
        user=user,
        token_hash=digest(token),
        start=export.start,
        end=export.end,
        snapshot=export.snapshot(),
        created=now,
        expires=now + timedelta(days=days),
    )
    return link, token


def find(token: str) -> SharedLink | None:
    """The live link with this token, if any: unknown, revoked and expired look the same."""
    return SharedLink.objects.live().filter(token_hash=digest(token)).first()


@transaction.atomic
def record_opening(link: SharedLink) -> None:
    SharedLink.objects.filter(pk=link.pk).update(opens=F("opens") + 1)
    LinkOpening.objects.create(link=link)
    older = link.openings.values_list("pk", flat=True)[KEEP_OPENINGS:]
    LinkOpening.objects.filter(pk__in=list(older)).delete()


def live_links(user) -> list[SharedLink]:
    openings = Prefetch("openings", queryset=LinkOpening.objects.all(), to_attr="recent_openings")
    return list(SharedLink.objects.live().filter(user=user).prefetch_related(openings))
