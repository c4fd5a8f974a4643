"""Check-ins before January 1970 and jobs before 1950 are refused from now on (0010 adds
the constraints). Rows made before that are kept, not deleted: each early check-in moves,
in its order, to its owner's first free month from January 1970, marked backfilled; a job
that starts before 1950 starts on 1 January 1950 (and ends no earlier)."""

import datetime

from django.db import migrations

FIRST_MONTH = datetime.date(1970, 1, 1)
FIRST_JOB_DAY = datetime.date(1950, 1, 1)


def next_month(month):
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def move_early_rows(apps, schema_editor):
    CheckIn = apps.get_model("assessments", "CheckIn")
    Job = apps.get_model("assessments", "Job")
    early = CheckIn.objects.filter(month__lt=FIRST_MONTH).order_by("user_id", "month")
    taken = {}
    for checkin in early:
        if checkin.user_id not in taken:
            taken[checkin.user_id] = set(
                CheckIn.objects.filter(user_id=checkin.user_id, month__gte=FIRST_MONTH).values_list(
                    "month", flat=True
                )
            )
        month = FIRST_MONTH
        while month in taken[checkin.user_id]:
            month = next_month(month)
        taken[checkin.user_id].add(month)
        CheckIn.objects.filter(pk=checkin.pk).update(month=month, backfilled=True)
    Job.objects.filter(end__lt=FIRST_JOB_DAY).update(end=FIRST_JOB_DAY)
    Job.objects.filter(start__lt=FIRST_JOB_DAY).update(start=FIRST_JOB_DAY)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0008_throttle_attempts")]

    operations = [migrations.RunPython(move_early_rows, migrations.RunPython.noop)]
