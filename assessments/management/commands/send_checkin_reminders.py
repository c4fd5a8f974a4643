from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from assessments.reminders import ReminderFailures, send_reminders


class Command(BaseCommand):
    help = (
        "Email a reminder to each user whose check-in for this month is due and not done. "
        "Safe to run as often as you like (e.g. hourly from cron): each person gets one a month."
    )

    def handle(self, *args, **options):
        try:
            sent = send_reminders()
        except (ReminderFailures, ImproperlyConfigured) as problem:
            raise CommandError(str(problem)) from None  # a non-zero exit, so cron reports it
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")
