"""The monthly nudge: a calendar feed anyone's calendar app can subscribe to, and email."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from . import mail
from .models import CheckIn, UserSettings, this_month


def _escape(text: str) -> str:
    """TEXT values in iCalendar (RFC 5545 section 3.3.11)."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (section 3.1)."""
    data = line.encode()
    parts: list[bytes] = []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut and (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
    parts.append(data)
    return "\r\n ".join(part.decode() for part in parts)


def calendar(user_settings: UserSettings, checkin_url: str) -> str:
    """One all-day event on the due day of every month, and nothing else about the person."""
    start = user_settings.due_date(this_month())
    description = f"About three minutes: how are you, and which leave triggers turned up? {checkin_url}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//careerapp//monthly check-in//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Career check-in",
        "BEGIN:VEVENT",
        # Stable across feed refreshes, so calendars update the event instead of adding one.
        f"UID:monthly-check-in-{user_settings.pk}@careerapp",
        f"DTSTAMP:{timezone.now():%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        f"RRULE:FREQ=MONTHLY;BYMONTHDAY={user_settings.due_day}",
        "SUMMARY:Career check-in",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{checkin_url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


class ReminderFailures(Exception):
    def __init__(self, sent: int, failures: list[str]):
        self.sent, self.failures = sent, failures
        super().__init__(f"Sent {sent}; {len(failures)} could not be sent: " + "; ".join(failures))


def due_for_reminder(today: date):
    """Users to remind today: reminders on, a verified email address, past their due day,
    this month's check-in not done, and not reminded yet this month."""
    month = this_month()
    return (
        get_user_model()
        .objects.filter(is_active=True, app_settings__reminders=True, app_settings__due_day__lte=today.day)
        .filter(app_settings__verified_email=F("email"))
        .exclude(app_settings__reminded_month=month)
        .filter(~Exists(CheckIn.objects.filter(user=OuterRef("pk"), month=month)))
    )


def send_reminders() -> int:
    """Email everyone due a reminder, each at most once a month however often this runs."""
    today, month = timezone.localdate(), this_month()
    url, settings_url = mail.absolute(reverse("checkin_current")), mail.absolute(reverse("settings"))
    sent, failures = 0, []
    for user in due_for_reminder(today):
        # Claim the month first: a second run at the same moment finds nothing to claim.
        claimed = (
            UserSettings.objects.filter(user=user)
            .filter(Q(reminded_month__isnull=True) | ~Q(reminded_month=month))
            .update(reminded_month=month)
        )
        if not claimed:
            continue
        try:
            send_mail(
                f"Your career check-in for {month:%B}",
                f"Hello {user.get_username()},\n\nYour monthly check-in is due. It takes about three "
                f"minutes, and every answer saves itself:\n\n{url}\n\nYou get this email because "
                "reminders are on for your careerapp account. To stop them, untick “Email me a "
                f"reminder” under Settings:\n\n{settings_url}\n",
                None,
                [user.email],
            )
        except Exception as error:  # one bad address must not stop everyone else's reminder
            # Not sent, so not claimed: the next run tries again.
            UserSettings.objects.filter(user=user).update(reminded_month=None)
            failures.append(f"{user.get_username()}: {error}")
            continue
        sent += 1
    if failures:
        raise ReminderFailures(sent, failures)
    return sent
