from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments import backup, exports
from assessments.models import Trigger


class Command(BaseCommand):
    help = (
        "Write a user's history to stdout: json is the full backup; csv and md are the 1:1 "
        "exports with the user's saved choices. Private triggers are left out of csv and md "
        "whatever was chosen before, unless --include-private is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--format", choices=["json", "csv", "md"], default="json")
        parser.add_argument("--from", dest="start", metavar="YYYY-MM")
        parser.add_argument("--to", dest="end", metavar="YYYY-MM")
        parser.add_argument(
            "--include-private",
            action="store_true",
            help="Let private triggers follow the saved choices (Show, Theme only or Hide) "
            "instead of always being hidden.",
        )

    def handle(self, username, format, start, end, include_private, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        if format == "json":
            self.stdout.write(backup.dumps(backup.dump(user)), ending="")
            return
        triggers = list(Trigger.objects.filter(user=user))
        choices = exports.saved_choices(user, triggers)
        if not include_private:
            # Nobody is there to look at a preview: what is private stays private.
            choices["visibility"] |= {str(t.pk): exports.HIDE for t in triggers if t.private}
        try:
            if start:
                choices["start"] = exports.MonthField().clean(start)
            if end:
                choices["end"] = exports.MonthField().clean(end)
        except ValidationError:
            raise CommandError("Give months as YYYY-MM.") from None
        # Here, unlike on the export page, the whole history may be one period.
        problem = exports.period_problem(choices["start"], choices["end"], longest=None)
        if problem:
            raise CommandError(problem)
        try:
            shared = exports.build(user, choices)
        except exports.Refused as refused:
            raise CommandError(" ".join(refused.messages)) from None
        self.stdout.write(exports.markdown(shared) if format == "md" else exports.csv_text(shared), ending="")
