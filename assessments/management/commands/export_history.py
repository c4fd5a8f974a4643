import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments import backup, exports
from assessments.models import Trigger


class Command(BaseCommand):
    help = (
        "Write a user's history to stdout: json is the full backup; csv and md are the 1:1 "
        "exports with the user's saved choices (private triggers hidden unless chosen otherwise)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--format", choices=["json", "csv", "md"], default="json")
        parser.add_argument("--from", dest="start", metavar="YYYY-MM")
        parser.add_argument("--to", dest="end", metavar="YYYY-MM")

    def handle(self, username, format, start, end, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        if format == "json":
            self.stdout.write(json.dumps(backup.dump(user), indent=2, ensure_ascii=False))
            return
        choices = exports.saved_choices(user, list(Trigger.objects.filter(user=user)))
        try:
            if start:
                choices["start"] = exports.MonthField().clean(start)
            if end:
                choices["end"] = exports.MonthField().clean(end)
        except ValidationError:
            raise CommandError("Give months as YYYY-MM.") from None
        if choices["start"] > choices["end"]:
            raise CommandError("The period must start before it ends.")
        shared = exports.build(user, choices)
        self.stdout.write(exports.markdown(shared) if format == "md" else exports.csv_text(shared), ending="")
