from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

LEVELS = [(0, "Not present"), (1, "Faint"), (2, "Clear"), (3, "Strong")]
SCORES = [(n, str(n)) for n in range(1, 6)]
TURNS_UP_AT = 2  # a rating at this level or above counts as "turning up"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def this_month() -> date:
    return month_start(timezone.localdate())


class TriggerQuerySet(models.QuerySet):
    def with_rating_counts(self):
        return self.annotate(rating_count=models.Count("ratings"))

    def next_position(self, user) -> int:
        last = self.filter(user=user).aggregate(models.Max("position"))["position__max"]
        return 0 if last is None else last + 1

    def add(self, *, user, **fields) -> "Trigger":
        return self.create(user=user, position=self.next_position(user), **fields)


class Trigger(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="triggers"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    theme = models.CharField(max_length=60, blank=True)
    private = models.BooleanField(
        default=False, help_text="Starts hidden in exports for your manager."
    )
    position = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    retired = models.DateField(null=True, blank=True)

    objects = TriggerQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="trigger_title_not_blank"),
        ]

    def __str__(self):
        return self.title

    def move(self, step: int) -> None:
        """Move one place up (-1) or down (+1) among the active triggers."""
        with transaction.atomic():
            order = list(
                Trigger.objects.select_for_update()
                .filter(user=self.user_id, retired__isnull=True)
                .values_list("pk", flat=True)
            )
            if self.pk not in order:
                return
            here = order.index(self.pk)
            there = min(max(here + step, 0), len(order) - 1)
            order.insert(there, order.pop(here))
            for position, pk in enumerate(order):
                Trigger.objects.filter(pk=pk).update(position=position)

    def toggle_private(self) -> None:
        self.private = not self.private
        self.save(update_fields=["private"])

    def retire(self) -> None:
        if self.retired is None:
            self.retired = timezone.localdate()
            self.save(update_fields=["retired"])

    def restore(self) -> None:
        # Back at the end of the active list, where a returning item is easy to find.
        if self.retired is not None:
            self.retired = None
            self.position = Trigger.objects.next_position(self.user_id)
            self.save(update_fields=["retired", "position"])


class CheckIn(models.Model):
    """One per user and calendar month; `month` is the first day of that month."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    month = models.DateField()
    wellbeing = models.PositiveSmallIntegerField(null=True, blank=True, choices=SCORES)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True, choices=SCORES)
    energy = models.PositiveSmallIntegerField(null=True, blank=True, choices=SCORES)
    hours = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=10000)
    talking_points = models.TextField(blank=True, max_length=10000)
    backfilled = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="one_checkin_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="checkin_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(hours__gte=0, hours__lte=100), name="checkin_hours_0_100"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
                    name=f"checkin_{field}_1_5",
                )
                for field in ("wellbeing", "satisfaction", "energy")
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.backfilled = timezone.localdate() >= next_month(self.month)
        super().save(*args, **kwargs)


class Rating(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="ratings")
    # PROTECT: a trigger that has been rated can be retired, never deleted.
    trigger = models.ForeignKey(Trigger, on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField(choices=LEVELS)
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "trigger"], name="one_rating_per_trigger"),
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=3), name="rating_level_0_3"
            ),
        ]

    def __str__(self):
        return f"{self.trigger}: {self.get_level_display()}"
