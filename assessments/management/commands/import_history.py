from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessments import backup


class Command(BaseCommand):
    help = "Restore a backup file into a user's account, replacing what is there (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("file", type=Path)

    def handle(self, username, file, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        try:
            with file.open("rb") as content:
                backup.restore(user, backup.load(content))
        except OSError as problem:
            raise CommandError(f"Can’t read {file}: {problem.strerror}.") from None
        except backup.RestoreError as problem:
            raise CommandError(f"Nothing was restored. {problem}") from None
        self.stdout.write(f"Restored {file} into {username}'s account.")
