import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Length, Lower
from django.utils import timezone


class Level(models.IntegerChoices):
    """How present a trigger was in a month. Not rated is no rating at all, never 0."""

    NOT_PRESENT = 0, "Not present"
    FAINT = 1, "Faint"
    CLEAR = 2, "Clear"
    STRONG = 3, "Strong"


# The levels' colours, the one palette of every chart, legend and answer button (app.css
# holds the same values as --level-0 to --level-3, and --level-N-text for words on them). On
# paper and a light screen a stronger level is darker (CIE L* 99, 82, 61, 33); on a dark
# screen the order turns round (19, 30, 48, 74), so a stronger level always stands out more
# from the page. Steps of lightness, one hue: they read in grayscale and with the common
# colour-vision deficiencies alike.
LEVEL_COLOURS = {
    "light": {
        Level.NOT_PRESENT: "#fbfbfb",
        Level.FAINT: "#f7c46c",
        Level.CLEAR: "#de7a26",
        Level.STRONG: "#8c2d04",
    },
    "dark": {
        Level.NOT_PRESENT: "#2a2f35",
        Level.FAINT: "#5c4310",
        Level.CLEAR: "#b25a12",
        Level.STRONG: "#f7a25c",
    },
}
# A letter for each level where a cell has no room for its word: it reads on paper in black
# and white, and for anyone who cannot tell the colours apart.
LEVEL_LETTERS = {Level.NOT_PRESENT: "–", Level.FAINT: "F", Level.CLEAR: "C", Level.STRONG: "S"}
# What each level means, in the words of the check-in's introduction.
LEVEL_MEANINGS = {
    Level.NOT_PRESENT: "not there this month",
    Level.FAINT: "there in the background",
    Level.CLEAR: "plainly there",
    Level.STRONG: "hard to ignore",
}


class Score(models.IntegerChoices):
    """Wellbeing, satisfaction and energy: 1 is low, 5 is high."""

    ONE = 1, "1"
    TWO = 2, "2"
    THREE = 3, "3"
    FOUR = 4, "4"
    FIVE = 5, "5"


# What one account can hold. Sign-up is open, so anyone may hold an account: these ceilings
# bound what any one of them can make a page cost (the README lists them).
FIRST_MONTH = date(1970, 1, 1)  # the earliest month a check-in or an export can be for
FIRST_JOB_DAY = date(1950, 1, 1)  # jobs may go further back: a career can start before 1970
MAX_ACTIVE_TRIGGERS = 50
MAX_TRIGGERS = 200  # retired ones included
MAX_RATINGS = MAX_ACTIVE_TRIGGERS  # in one check-in
MAX_JOBS = 50
# Changes to the checklist kept for its Changes list; beyond, the oldest make room. Years of
# ordinary use stay far below; only a script could reach it, and a backup stays bounded.
MAX_CHANGES = 1000
# Characters in all of an account's check-ins: private notes, talking points and the notes
# on ratings together (each field has its own maximum too). A full backup stays restorable.
MAX_TEXT = 1_000_000
TEXT_FULL = (
    f"Your check-ins hold {MAX_TEXT:,} characters of notes and talking points, the most an account "
    "keeps. Shorten an older note to make room."
)


class LimitReached(Exception):
    """An account is at one of its ceilings; the message says which and what to do."""


def text_used(user_id: int) -> int:
    """How many of `MAX_TEXT`'s characters the account's check-ins hold."""
    length = {"n": models.Sum(Length("notes") + Length("talking_points"))}
    checkins = CheckIn.objects.filter(user=user_id).aggregate(**length)["n"] or 0
    return checkins + (
        Rating.objects.filter(checkin__user=user_id).aggregate(n=models.Sum(Length("note")))["n"] or 0
    )


def lock_account(user_id: int) -> None:
    """Hold the account's row until the transaction ends, so that two requests can't both
    count below a ceiling and then both add (PostgreSQL). SQLite needs no lock: its
    IMMEDIATE transactions let one writer in at a time."""
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk"))


# A check-in's answers besides its ratings, in the order the check-in page asks for them.
SCORE_FIELDS = ("wellbeing", "satisfaction", "energy")
ANSWER_FIELDS = (*SCORE_FIELDS, "hours", "notes", "talking_points")


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return add_months(month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def previous_month(month: date) -> date:
    return add_months(month, -1)


def months_in(start: date, end: date) -> int:
    """How many calendar months from `start` to `end`, both included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def this_month() -> date:
    return month_start(timezone.localdate())


class ChangeKind(models.TextChoices):
    """What a change did to a trigger on the checklist."""

    ADDED = "added", "Added"
    REWORDED = "reworded", "Reworded"
    RETIRED = "retired", "Retired"
    RESTORED = "restored", "Restored"
    PRIVATE = "private", "Made private"
    SHAREABLE = "shareable", "Made shareable"


class TriggerQuerySet(models.QuerySet["Trigger"]):
    def with_rated(self):
        """Each trigger with `rated`: whether it has any rating (then it can't be deleted)."""
        return self.annotate(rated=models.Exists(Rating.objects.filter(trigger=models.OuterRef("pk"))))

    @transaction.atomic
    def make_room(self, user_id: int, *, adding: bool) -> int:
        """Lock the account and return the next free position, or raise LimitReached when
        one more active trigger (and, `adding` one, one more trigger) is more than it holds."""
        lock_account(user_id)
        counts = self.filter(user=user_id).aggregate(
            active=models.Count("pk", filter=Q(retired__isnull=True)),
            all=models.Count("pk"),
            last=models.Max("position"),
        )
        full = Trigger.no_room(active=counts["active"], total=counts["all"] if adding else 0)
        if full:
            raise LimitReached(full)
        return 0 if counts["last"] is None else counts["last"] + 1

    @transaction.atomic
    def add(self, *, user, **fields) -> "Trigger":
        trigger = self.create(user=user, position=self.make_room(user.pk, adding=True), **fields)
        ChecklistChange.record(trigger, ChangeKind.ADDED)
        return trigger


class Trigger(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="triggers")
    title = models.CharField(max_length=200)
    short_name = models.CharField(
        max_length=24, blank=True, help_text="A word or two for charts and tight places, e.g. “Values”."
    )
    description = models.TextField(blank=True, max_length=2000)
    theme = models.CharField(max_length=60, blank=True)
    private = models.BooleanField(default=False, help_text="Starts hidden in exports for your manager.")
    position = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now, editable=False)
    retired = models.DateField(null=True, blank=True)

    objects = TriggerQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="trigger_title_not_blank"),
        ]

    def __str__(self):
        return self.title

    @property
    def name(self) -> str:
        """What charts and other tight places call the trigger: its short name, if it has one."""
        return self.short_name or self.title

    @staticmethod
    def no_room(*, active: int, total: int) -> str:
        """Why a checklist with these counts takes no more triggers; "" while it does."""
        if active >= MAX_ACTIVE_TRIGGERS:
            return (
                f"Your checklist has {MAX_ACTIVE_TRIGGERS} active triggers, the most it holds. "
                "Retire one first."
            )
        if total >= MAX_TRIGGERS:
            return (
                f"Your checklist keeps {MAX_TRIGGERS} triggers, retired ones included, the most it can. "
                "Delete one that was never rated first."
            )
        return ""

    @transaction.atomic
    def move(self, step: int) -> None:
        """Move one place up (-1) or down (+1) among the active triggers, by swapping
        positions with the neighbour there: two rows written, however long the list."""
        lock_account(self.user_id)
        me = Trigger.objects.filter(pk=self.pk, retired__isnull=True).first()
        if me is None:
            return
        active = Trigger.objects.filter(user=self.user_id, retired__isnull=True)
        if step < 0:
            before = Q(position__lt=me.position) | Q(position=me.position, pk__lt=me.pk)
            neighbour = active.filter(before).order_by("-position", "-pk").first()
        else:
            after = Q(position__gt=me.position) | Q(position=me.position, pk__gt=me.pk)
            neighbour = active.filter(after).order_by("position", "pk").first()
        if neighbour is None:
            return
        if neighbour.position == me.position:
            # Positions tied by an older version: number the list afresh, in one statement.
            order = list(active.order_by("position", "pk"))
            here, there = order.index(me), order.index(neighbour)
            order[here], order[there] = order[there], order[here]
            for position, trigger in enumerate(order):
                trigger.position = position
            Trigger.objects.bulk_update(order, ["position"])
            return
        Trigger.objects.filter(pk=me.pk).update(position=neighbour.position)
        Trigger.objects.filter(pk=neighbour.pk).update(position=me.position)

    @transaction.atomic
    def reword(self, title: str, **fields) -> None:
        """Save new words (title, description, theme); a new title is a change to the checklist."""
        old = Trigger.objects.values_list("title", flat=True).get(pk=self.pk)
        self.title = title
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=["title", *fields])
        if title != old:
            ChecklistChange.record(self, ChangeKind.REWORDED, old_title=old)

    @transaction.atomic
    def toggle_private(self) -> None:
        self.private = not self.private
        self.save(update_fields=["private"])
        ChecklistChange.record(self, ChangeKind.PRIVATE if self.private else ChangeKind.SHAREABLE)
        if self.private:
            UserSettings.forget_export_choice(self)

    @transaction.atomic
    def retire(self) -> None:
        if self.retired is None:
            self.retired = timezone.localdate()
            self.save(update_fields=["retired"])
            ChecklistChange.record(self, ChangeKind.RETIRED)

    @transaction.atomic
    def restore(self) -> None:
        # Back at the end of the active list, where a returning item is easy to find.
        if self.retired is not None:
            self.position = Trigger.objects.make_room(self.user_id, adding=False)
            self.retired = None
            self.save(update_fields=["retired", "position"])
            ChecklistChange.record(self, ChangeKind.RESTORED)


class ChecklistChange(models.Model):
    """One change to a checklist, with its date: the list is a living document.

    The trigger's wording is kept as it was then, so the list reads true after later
    rewordings. Deleting a trigger (only ever while it has no ratings) takes its changes
    along: it never was part of the history. Reordering is not a change.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checklist_changes"
    )
    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=ChangeKind)
    title = models.CharField(max_length=200)  # the trigger's title after the change
    old_title = models.CharField(max_length=200, blank=True)  # before a rewording; "" otherwise
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="change_user_at")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ChangeKind.values), name="change_kind_known"),
            models.CheckConstraint(condition=~Q(title=""), name="change_title_not_blank"),
            models.CheckConstraint(
                condition=Q(kind="reworded", old_title__gt="") | (~Q(kind="reworded") & Q(old_title="")),
                name="change_old_title_only_when_reworded",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} “{self.title}”"

    @classmethod
    def record(cls, trigger: Trigger, kind: str, *, old_title: str = "") -> "ChecklistChange":
        """Write the change in the caller's transaction; past MAX_CHANGES, the oldest go."""
        change = cls.objects.create(
            user_id=trigger.user_id, trigger=trigger, kind=kind, title=trigger.title, old_title=old_title
        )
        stale = list(cls.objects.filter(user=trigger.user_id).values_list("pk", flat=True)[MAX_CHANGES:])
        if stale:
            cls.objects.filter(pk__in=stale).delete()
        return change


class CheckIn(models.Model):
    """One per user and calendar month; `month` is the first day of that month."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins")
    month = models.DateField()
    wellbeing = models.PositiveSmallIntegerField(null=True, blank=True, choices=Score)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True, choices=Score)
    energy = models.PositiveSmallIntegerField(null=True, blank=True, choices=Score)
    hours = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    notes = models.TextField(blank=True, max_length=10000)
    talking_points = models.TextField(blank=True, max_length=10000)
    backfilled = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="one_checkin_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="checkin_month_is_first_day"),
            models.CheckConstraint(condition=Q(month__gte=FIRST_MONTH), name="checkin_month_from_1970"),
            models.CheckConstraint(condition=Q(hours__gte=0, hours__lte=100), name="checkin_hours_0_100"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": Score.ONE, f"{field}__lte": Score.FIVE}),
                    name=f"checkin_{field}_1_5",
                )
                for field in SCORE_FIELDS
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.backfilled = timezone.localdate() >= next_month(self.month)
        super().save(*args, **kwargs)


class Rating(models.Model):
    # Indexed by the (check-in, level, trigger) index below, which answers what the
    # dashboard counts without reading the ratings' notes.
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="ratings", db_index=False)
    # RESTRICT: a rated trigger can be retired, never deleted on its own; deleting the
    # whole account still takes its ratings along with its check-ins.
    trigger = models.ForeignKey(Trigger, on_delete=models.RESTRICT, related_name="ratings")
    level = models.PositiveSmallIntegerField(choices=Level)
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "trigger"], name="one_rating_per_trigger"),
            models.CheckConstraint(
                condition=Q(level__gte=Level.NOT_PRESENT, level__lte=Level.STRONG), name="rating_level_0_3"
            ),
        ]
        indexes = [models.Index(fields=["checkin", "level", "trigger"], name="rating_checkin_level")]

    def __str__(self):
        return f"{self.trigger}: {self.get_level_display()}"


class UserSettings(models.Model):
    """Each person's thresholds, reminders and last export choices, one row per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_settings"
    )
    turn_up_level = models.PositiveSmallIntegerField(
        "A trigger turns up at",
        default=Level.CLEAR,
        choices=Level.choices[1:],  # "Not present" never turns up
        help_text="The level from which a rating counts as turning up.",
    )
    together_count = models.PositiveSmallIntegerField(
        "Together means at least",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="How many triggers turning up in one check-in count as turning up together.",
    )
    sustained_months = models.PositiveSmallIntegerField(
        "Sustained means together for",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Consecutive months; a missed month breaks the run.",
    )
    tenure_years = models.PositiveSmallIntegerField(
        "Suggest a light job search after",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Years in one job.",
    )
    export_choices = models.JSONField(default=dict, blank=True, help_text="The last 1:1 export's choices.")
    due_day = models.PositiveSmallIntegerField(
        "Check-in due on day",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="The day of the month your check-in is due (1–28, so every month has it).",
    )
    reminders = models.BooleanField(
        "Email me a reminder",
        default=True,
        help_text="Once a month, on the due day, if the check-in isn’t done.",
    )
    reminded_month = models.DateField(null=True, blank=True, editable=False)
    # The account's address once its owner opened the link sent to it, None until then
    # and again when the address changes. Reminders go only to a verified address. NULL,
    # not "": the unique index below allows any number of NULLs.
    verified_email = models.EmailField(null=True, blank=True, editable=False)  # noqa: DJ001
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Whether the check-in page opens with its introduction; closing it once keeps it closed.
    # Where the page is laid out, not a setting: backups leave it to the server.
    checkin_intro = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name_plural = "user settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(turn_up_level__gte=Level.FAINT, turn_up_level__lte=Level.STRONG),
                name="settings_turn_up_1_3",
            ),
            models.CheckConstraint(
                condition=Q(together_count__gte=1, together_count__lte=50),
                name="settings_together_1_50",
            ),
            models.CheckConstraint(
                condition=Q(sustained_months__gte=1, sustained_months__lte=24),
                name="settings_sustained_1_24",
            ),
            models.CheckConstraint(
                condition=Q(tenure_years__gte=1, tenure_years__lte=50), name="settings_tenure_1_50"
            ),
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=28), name="settings_due_day_1_28"
            ),
            models.UniqueConstraint(Lower("verified_email"), name="one_account_per_verified_email"),
            models.CheckConstraint(condition=~Q(verified_email=""), name="settings_verified_email_not_blank"),
        ]

    def __str__(self):
        return f"Settings of {self.user}"

    @classmethod
    def of(cls, user) -> "UserSettings":
        return cls.objects.get_or_create(user=user)[0]

    @classmethod
    @transaction.atomic
    def forget_export_choice(cls, trigger: Trigger) -> None:
        """A choice made before the trigger was marked private must not outlive the change:
        without one, the export starts it hidden again."""
        user_settings = cls.objects.select_for_update().get_or_create(user_id=trigger.user_id)[0]
        visibility = user_settings.export_choices.get("visibility")
        if isinstance(visibility, dict) and visibility.pop(str(trigger.pk), None) is not None:
            user_settings.save(update_fields=["export_choices"])

    def due_date(self, month: date) -> date:
        return month.replace(day=self.due_day)

    def verifies(self, address: str) -> bool:
        """Whether `address` (the account's current one) is the verified address."""
        return bool(address) and self.verified_email == address

    def new_calendar_token(self) -> str:
        """A fresh secret for the calendar feed; the old feed address stops working."""
        self.calendar_token = secrets.token_urlsafe(32)
        self.save(update_fields=["calendar_token"])
        return self.calendar_token


class JobQuerySet(models.QuerySet["Job"]):
    @transaction.atomic
    def add(self, *, user, **fields) -> "Job":
        lock_account(user.pk)
        full = Job.no_room(self.filter(user=user).count())
        if full:
            raise LimitReached(full)
        return self.create(user=user, **fields)

    def current(self, day: date) -> "Job | None":
        """The job held on `day` (the latest started, should two overlap)."""
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day).first()


class Job(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    employer = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    start = models.DateField(
        validators=[
            MinValueValidator(
                FIRST_JOB_DAY, f"A job can start on {FIRST_JOB_DAY.day} {FIRST_JOB_DAY:%B %Y} or later."
            )
        ]
    )
    end = models.DateField(null=True, blank=True, help_text="Leave empty for your current job.")

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(employer=""), name="job_employer_not_blank"),
            models.CheckConstraint(condition=Q(start__gte=FIRST_JOB_DAY), name="job_starts_from_1950"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="job_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.role} at {self.employer}" if self.role else self.employer

    @staticmethod
    def no_room(count: int) -> str:
        """Why an account with `count` jobs takes no more; "" while it does."""
        return (
            f"You have {MAX_JOBS} jobs, the most careerapp keeps. Remove one first."
            if count >= MAX_JOBS
            else ""
        )

    def contains(self, month: date) -> bool:
        """Whether any day of `month` falls within this job."""
        return self.start < next_month(month) and (self.end is None or self.end >= month)

    def tenure(self, day: date) -> tuple[int, int]:
        """Whole years and months in this job on `day`."""
        start = self.start
        months = (day.year - start.year) * 12 + day.month - start.month - (day.day < start.day)
        return divmod(months, 12)


class SentEmail(models.Model):
    """An email the app sent on someone's request (a verification link, a password
    reset), kept for a day so no address gets more than a few."""

    # SET_NULL: deleting the account must not reset the count for the address it wrote to.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    to = models.CharField(max_length=64, db_index=True)  # a hash of the address
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"Email sent at {self.at:%Y-%m-%d %H:%M}"


class Attempt(models.Model):
    """A try counted by the throttle (a log-in, a password check or a sign-up), kept for a while."""

    key = models.CharField(max_length=64)  # a keyed hash: the table names no user and no address
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="attempt_key_at")]

    def __str__(self):
        return f"Attempt at {self.at:%Y-%m-%d %H:%M}"


class SharedLinkQuerySet(models.QuerySet):
    def live(self):
        return self.filter(expires__gt=timezone.now())


class SharedLink(models.Model):
    """A read-only copy of one 1:1 export, for whoever has its address.

    The page shows `snapshot`, the export as it was when the link was made, never later data.
    The address's secret is not kept: only its SHA-256, so no database reader can open it.
    Revoking deletes the link with its copy; an expired one stops answering at once and is
    deleted when links are next made.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_links")
    token_hash = models.CharField(max_length=64, unique=True)
    start = models.DateField()
    end = models.DateField()
    snapshot = models.JSONField()
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(db_index=True)
    opens = models.PositiveIntegerField(default=0)  # every opening; `openings` keeps the latest times

    objects = SharedLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires__gt=models.F("created")), name="link_expires_after_created"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="link_period_in_order"),
        ]

    def __str__(self):
        return f"Link to {self.period}"

    @property
    def period(self) -> str:
        return f"{self.start:%b %Y}" if self.start == self.end else f"{self.start:%b %Y} – {self.end:%b %Y}"


class LinkOpening(models.Model):
    """When a shared link was opened: the time only, nothing about who opened it."""

    link = models.ForeignKey(SharedLink, on_delete=models.CASCADE, related_name="openings")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["link", "at"], name="opening_link_at")]

    def __str__(self):
        return f"Opened at {self.at:%Y-%m-%d %H:%M}"
