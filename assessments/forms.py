import re

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.base_user import BaseUserManager
from django.forms import BoundField
from django.urls import reverse

from . import mail, search, throttle
from .defaults import THEMES
from .models import ANSWER_FIELDS, SCORE_FIELDS, CheckIn, Job, Level, Rating, Score, Trigger, UserSettings

TRIGGER_KEY = re.compile(r"^(level|note)_(\d+)$")


class AnswerField(BoundField):
    """One answer on the check-in page."""

    @property
    def aria_describedby(self):
        # The page writes each hint into the label, or describes the fieldset with it; an
        # error is in the answer's status, under the id Django's own templates give it.
        return f"{self.auto_id}_error" if self.errors else None

    def value(self):
        # A refused form shows what was sent, and what is stored for the answers it didn't send.
        if self.form.is_bound and self.html_name not in self.form.data:
            return self.field.prepare_value(self.initial)
        return super().value()


def _choice(label: str, choices, hint: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        choices=choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )


def _text(label: str, hint: str, stored_in, rows: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=stored_in.field.max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CheckInForm(forms.Form):
    """Validates any subset of a check-in's answers.

    Autosave posts one answer at a time, the plain form posts all of them: only the
    answers present in the data are saved, so both go through the same form.
    """

    bound_field_class = AnswerField

    wellbeing = _choice("Wellbeing", Score, "Your mental health and happiness — they come first.")
    satisfaction = _choice("Job satisfaction", Score, "How satisfied you are with the job.")
    energy = _choice("Energy", Score, "How much of your work energized you.")
    hours = forms.IntegerField(
        label="Typical weekly hours",
        help_text="(optional)",
        min_value=0,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = _text("Private notes", "(never in an export)", CheckIn.notes, rows=3)
    talking_points = _text("Talking points for the 1:1", "", CheckIn.talking_points, rows=3)

    def __init__(self, *args, triggers, **kwargs):
        kwargs["auto_id"] = "%s"
        super().__init__(*args, **kwargs)
        self.triggers = triggers
        for trigger in triggers:
            # An autosave sends one answer: fields for the rest would only cost time.
            if not self.is_bound or f"level_{trigger.pk}" in self.data or f"note_{trigger.pk}" in self.data:
                self._add_fields(trigger)
        # The page's order: after a refused submit the focus goes to the first field to fix.
        self.order_fields([*SCORE_FIELDS, *(name for name in self.fields if TRIGGER_KEY.match(name))])

    def _add_fields(self, trigger: Trigger) -> None:
        self.fields[f"level_{trigger.pk}"] = _choice(trigger.title, Level)
        self.fields[f"note_{trigger.pk}"] = _text("Note", "(optional: what happened?)", Rating.note, rows=1)

    def clean(self):
        unknown = [key for key in self.data if TRIGGER_KEY.match(key) and key not in self.fields]
        if unknown:
            raise forms.ValidationError(
                "That trigger is not on this check-in: it is retired or not on your checklist."
            )
        return super().clean()

    def answers(self) -> dict:
        """The cleaned answers that were actually sent."""
        return {name: value for name, value in self.cleaned_data.items() if name in self.data}

    def show(self, checkin: CheckIn | None) -> None:
        """Show `checkin`'s stored answers wherever the data holds none."""
        self.initial = {}
        if checkin is not None:
            self.initial = {name: getattr(checkin, name) for name in ANSWER_FIELDS}
            for rating in checkin.ratings.all():
                self.initial[f"level_{rating.trigger_id}"] = rating.level
                self.initial[f"note_{rating.trigger_id}"] = rating.note

    def score_fields(self) -> list[BoundField]:
        return [self[name] for name in SCORE_FIELDS]

    def other_fields(self) -> list[BoundField]:
        """Hours, private notes and talking points."""
        return [self[name] for name in ANSWER_FIELDS if name not in SCORE_FIELDS]

    def trigger_fields(self) -> list[tuple[Trigger, BoundField, BoundField]]:
        """Each trigger with its level and note."""
        for trigger in self.triggers:
            if f"level_{trigger.pk}" not in self.fields:  # a refused form that sent only some
                self._add_fields(trigger)
        return [(t, self[f"level_{t.pk}"], self[f"note_{t.pk}"]) for t in self.triggers]


class SearchForm(forms.Form):
    """What to find in the notes: empty asks for nothing yet, only spaces is refused."""

    q = forms.CharField(
        label="Search notes",
        required=False,
        max_length=search.MAX_QUERY,
        widget=forms.SearchInput,
        error_messages={
            "max_length": "Search for at most %(limit_value)d characters (this is %(show_value)d).",
        },
    )

    def clean_q(self):
        query = self.cleaned_data["q"]
        if not query and self.data.get("q"):
            raise forms.ValidationError("Type a word or phrase to search for, not only spaces.")
        return query


class TriggerForm(forms.ModelForm):
    class Meta:
        model = Trigger
        fields = ["title", "short_name", "description", "theme"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "theme": forms.TextInput(attrs={"list": "themes"}),
        }
        help_texts = {"theme": f"For example {', '.join(THEMES[:-1])} or {THEMES[-1]}."}

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_short_name(self):
        return " ".join(self.cleaned_data["short_name"].split())


EMAIL_HELP = "For reminders and password resets, once you open the link we send to it."


def _address(value: str) -> str:
    return BaseUserManager.normalize_email(value.strip())


class LogInForm(auth_forms.AuthenticationForm):
    """Django's log-in form, its password check counted by the throttle."""

    def clean(self):
        attempt = throttle.attempt(self.request, self.data.get("username", ""))
        try:
            return super().clean()
        finally:
            if self.user_cache is not None:  # the right password, even if this user may not log in here
                attempt.succeeded()


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change, its check of the old password counted by the throttle."""

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_old_password(self):
        attempt = throttle.attempt(self.request, self.user.get_username())
        password = super().clean_old_password()
        attempt.succeeded()
        return password


class SignUpForm(auth_forms.UserCreationForm):
    """Django's sign-up, counted per address: see the throttle for which tries count."""

    class Meta(auth_forms.UserCreationForm.Meta):
        fields = ("username", "email")
        help_texts = {"email": EMAIL_HELP}

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_username(self):
        # Before the username is looked up, so a refusal says nothing about it.
        self.attempt = throttle.sign_up(self.request)
        return super().clean_username()

    def clean_email(self):
        return _address(self.cleaned_data["email"])


class EmailForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text=EMAIL_HELP,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        return _address(self.cleaned_data["email"])


class VerifiedPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's password reset, sent only to a verified address and only a few times a day.

    The page says the same whatever the address, so it tells nobody who has an account.
    """

    def get_users(self, email):
        for user in super().get_users(email):
            if UserSettings.of(user).verifies(user.email) and mail.wait(user, user.email) is None:
                yield user

    def save(self, *args, **kwargs):
        self.request = kwargs.get("request")  # PasswordResetView passes it by name
        super().save(*args, **kwargs)

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, *args, **kwargs
    ):
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        context["link"] = mail.absolute(path, self.request)
        super().send_mail(
            subject_template_name, email_template_name, context, from_email, to_email, *args, **kwargs
        )
        mail.record(context["user"], to_email)


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = UserSettings
        fields = ["turn_up_level", "together_count", "sustained_months", "tenure_years"]


class RemindersForm(forms.ModelForm):
    class Meta:
        model = UserSettings
        fields = ["due_day", "reminders"]


class JobForm(forms.ModelForm):
    class Meta:
        model = Job
        fields = ["employer", "role", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        super().clean()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date can’t be before the start date.")
        return self.cleaned_data


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(label="Type your username to confirm")
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip() != self.user.get_username():
            raise forms.ValidationError("That isn’t your username, so nothing was deleted.")
        return self.cleaned_data["confirm"]

    def clean_password(self):
        attempt = throttle.attempt(self.request, self.user.get_username())
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError(
                "That isn’t your password, so nothing was deleted.", code="password_incorrect"
            )
        attempt.succeeded()
        return self.cleaned_data["password"]
