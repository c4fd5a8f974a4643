from datetime import date

from django.urls import path, register_converter

from . import views
from .models import FIRST_MONTH, this_month


class MonthConverter:
    """`2026-11` in a URL is the date 2026-11-01 in a view; months before January 1970
    have no address (the view itself refuses future ones, with a reason)."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> date:
        year, month = map(int, value.split("-"))
        first = date(year, month, 1)  # ValueError for month 13 makes the URL a 404
        if first < FIRST_MONTH:
            raise ValueError(first)
        return first

    def to_url(self, value: date) -> str:
        return f"{value:%Y-%m}"


class YearConverter:
    """`2026` in a URL: a year from 1970 to this one; any other has no address."""

    regex = r"\d{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_MONTH.year <= year <= this_month().year:
            raise ValueError(year)
        return year

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


class ActionConverter:
    regex = "up|down|private|retire|restore|delete"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FormatConverter(ActionConverter):
    regex = "markdown|csv|print"


register_converter(MonthConverter, "month")
register_converter(FormatConverter, "format")
register_converter(ActionConverter, "action")
register_converter(YearConverter, "year")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("signup/", views.signup, name="signup"),
    path("check-in/", views.checkin_current, name="checkin_current"),
    path("check-in/<month:month>/", views.checkin, name="checkin"),
    path("check-in/<month:month>/copy/", views.checkin_copy, name="checkin_copy"),
    path("check-in/<month:month>/intro/", views.checkin_intro, name="checkin_intro"),
    path("history/", views.history, name="history"),
    path("search/", views.search_notes, name="search"),
    path("insights/", views.insights_page, name="insights"),
    path("year/", views.year_latest, name="year_latest"),
    path("year/<year:year>/", views.year_page, name="year"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/add/", views.trigger_add, name="trigger_add"),
    path("checklist/changes/", views.checklist_changes, name="checklist_changes"),
    path("checklist/<int:pk>/edit/", views.trigger_edit, name="trigger_edit"),
    path("checklist/<int:pk>/<action:action>/", views.trigger_action, name="trigger_action"),
    path("export/", views.export, name="export"),
    path("export/<format:fmt>/", views.export_download, name="export_download"),
    path("export/links/", views.link_create, name="link_create"),
    path("export/links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("shared/<str:token>/", views.shared_link, name="shared"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/reminders/", views.reminders_update, name="reminders"),
    path("settings/calendar/", views.calendar_token, name="calendar_token"),
    path("settings/email/", views.email_update, name="email"),
    path("settings/email/send/", views.email_resend, name="email_resend"),
    path("email/verify/", views.verify_email_confirm, name="verify_email_confirm"),
    path("email/verify/<str:token>/", views.verify_email, name="verify_email"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("settings/backup/", views.backup_download, name="backup"),
    path("settings/restore/", views.backup_restore, name="restore"),
    path("settings/delete-account/", views.account_delete, name="account_delete"),
    path("settings/jobs/add/", views.job_add, name="job_add"),
    path("settings/jobs/<int:pk>/edit/", views.job_edit, name="job_edit"),
    path("settings/jobs/<int:pk>/delete/", views.job_delete, name="job_delete"),
]
