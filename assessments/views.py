from datetime import date

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from . import backup, exports, insights, mail, metrics, reminders, search, sharing, throttle, year_review
from .dashboard import build as build_dashboard
from .defaults import THEMES
from .forms import (
    CheckInForm,
    DeleteAccountForm,
    EmailForm,
    JobForm,
    LogInForm,
    PasswordChangeForm,
    RemindersForm,
    SearchForm,
    SignUpForm,
    ThresholdsForm,
    TriggerForm,
    VerifiedPasswordResetForm,
)
from .management.commands import seed_demo
from .metrics import with_counts
from .models import (
    FIRST_MONTH,
    LEVEL_MEANINGS,
    SCORE_FIELDS,
    CheckIn,
    ChecklistChange,
    Job,
    Level,
    LimitReached,
    SharedLink,
    Trigger,
    UserSettings,
    next_month,
    previous_month,
    this_month,
)
from .services import (
    NoteNeedsLevel,
    NothingToCopy,
    checkin_copy_previous,
    checkin_save_answers,
    checkin_triggers,
    create_account,
)


class HtmxHttpRequest(HttpRequest):
    """A request to a view behind the login (LoginRequiredMiddleware), with django-htmx's details."""

    user: User
    htmx: HtmxDetails


def render_part(
    request: HtmxHttpRequest,
    template: str,
    part: str,
    context: dict,
    *,
    invalid: bool = False,
    status: int = 400,
) -> HttpResponse:
    """The page, or for htmx only its partial `part` (none: the page).

    A refused request is 422 to htmx, the one error it swaps in (see base.html), and
    `status` to a browser. The same address answers htmx and a browser differently, so
    caches are told to keep the two apart.
    """
    if request.htmx and part:
        template = f"{template}#{part}"
    if not invalid:
        status = 200
    elif request.htmx:
        status = 422
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    """Django's log-in, throttled; it gives the browser a device cookie (see throttle)."""

    authentication_form = LogInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        status = 429 if throttle.refused(form) else 400
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.remember_device(response, form.get_user())
        return response


@login_not_required
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's log-in (throttled by its form), giving a device cookie as the app's does."""
    response = admin.site.login(request)
    if request.method == "POST" and response.status_code == 302 and request.user.is_authenticated:
        throttle.remember_device(response, request.user)
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, throttled like a log-in."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        status = 429 if throttle.refused(form) else 400
        return self.render_to_response(self.get_context_data(form=form), status=status)


# A page whose address holds a secret sends no Referer onwards.
NO_REFERRER = "no-referrer"

# What the browser kept of the person goes with them. Not "cookies": a cookie that must
# outlive a log-out (one telling the log-in throttle this browser is known) would go too.
CLEAR_SITE_DATA = '"cache", "storage"'


class LogoutView(auth_views.LogoutView):
    """Django's log-out, which also empties the browser's cache and storage for the app."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if not settings.SIGNUP_OPEN:
        return render(request, "registration/signup_closed.html", status=403)
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignUpForm(request.POST or None, request=request)
    if form.is_valid():
        user = create_account(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your checklist starts with the usual leave triggers.")
        if user.email:
            _send_link(request, user)
        return redirect("checkin_current")
    if form.errors and "username" not in form.errors:
        form.attempt.forget()  # a mistyped password makes no account and finds no name taken
    status = 429 if throttle.refused(form) else 400 if form.errors else 200
    return render(request, "registration/signup.html", {"form": form}, status=status)


@login_not_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The dashboard, or for a visitor who is not logged in, what the app is."""
    if not request.user.is_authenticated:
        if request.htmx:  # the charts asked for after the session ended
            return redirect_to_login(request.get_full_path())
        return render(request, "landing.html", {"demo": _demo_available()})
    context = {"dashboard": build_dashboard(request.user, request.GET.get("range"))}
    return render_part(request, "dashboard.html", "charts", context)


def _demo_available() -> dict | None:
    """The demo account's log-in, offered only where `make demo` serves the app (DEMO on)
    and the account exists: anywhere else its password is nobody's business."""
    demo = get_user_model().objects.filter(username=seed_demo.USERNAME, is_active=True)
    if settings.DEMO and demo.exists():
        return {"username": seed_demo.USERNAME, "password": seed_demo.PASSWORD}
    return None


@require_GET
def checkin_current(request: HttpRequest) -> HttpResponse:
    return redirect("checkin", month=this_month())


def _checkin_state(request: HtmxHttpRequest, month: date, checkin: CheckIn | None) -> dict:
    """What the check-in page and every save's answer say about where the check-in stands:
    the live summary, the progress and, once every question is answered, the done state,
    offering the month before when there is no earlier check-in to compare with."""
    progress = metrics.progress(request.user, checkin)
    offer = None
    earlier = CheckIn.objects.filter(user=request.user, month__lt=month)
    if progress.done and month > FIRST_MONTH and not earlier.exists():
        offer = previous_month(month)
    name = f"{month:%B}" if month.year == this_month().year else f"{month:%B %Y}"
    return {"month": month, "month_name": name, "progress": progress, "offer": offer}


def _checkin_page(
    request: HtmxHttpRequest, month: date, form: CheckInForm | None = None, *, status: int = 200
) -> HttpResponse:
    """The check-in page: what is stored, or what was just sent when it was refused."""
    checkin = CheckIn.objects.filter(user=request.user, month=month).first()
    if form is None:
        form = CheckInForm(triggers=list(checkin_triggers(user=request.user, checkin=checkin)))
    form.show(checkin)
    previous = CheckIn.objects.filter(user=request.user, month__lt=month).order_by("-month").first()
    last = {r.trigger_id: r for r in previous.ratings.only("checkin", "trigger", "level")} if previous else {}
    rows = [(trigger, level, note, last.get(trigger.pk)) for trigger, level, note in form.trigger_fields()]
    user_settings = UserSettings.of(request.user)
    # Something to copy: a score, or an active trigger's level, that the previous check-in
    # has and this one doesn't.
    stored = form.initial
    can_copy = previous is not None and (
        any(stored.get(name) is None and getattr(previous, name) is not None for name in SCORE_FIELDS)
        or any(stored.get(f"level_{trigger.pk}") is None and trigger.pk in last for trigger, *_ in rows)
    )
    context = {
        **_checkin_state(request, month, checkin),
        "prev_month": previous_month(month) if month > FIRST_MONTH else None,
        "next_month": next_month(month) if month < this_month() else None,
        "checkin": checkin,
        "is_current": month == this_month(),
        "previous": previous,
        "can_copy": can_copy,
        "intro_open": user_settings.checkin_intro,
        "levels": [(level.label, LEVEL_MEANINGS[level]) for level in Level],
        "turn_up_label": user_settings.get_turn_up_level_display(),
        "form": form,
        "rows": rows,
    }
    # A bound form is one that was refused.
    return render(request, "checkin.html", context, status=400 if form.is_bound else status)


def _checkin_refused_future(request: HtmxHttpRequest, month: date) -> HttpResponse | None:
    if month <= this_month():
        return None
    message = f"{month:%B %Y} hasn’t started yet. You can check in for this month or any past one."
    if request.htmx:
        return render_part(request, "checkin.html", "status", {"error": message}, invalid=True)
    return render(request, "refused.html", {"title": "Not yet", "message": message}, status=400)


@require_http_methods(["GET", "POST"])
def checkin(request: HtmxHttpRequest, month: date) -> HttpResponse:
    if refused := _checkin_refused_future(request, month):
        return refused
    if request.method == "GET":
        return _checkin_page(request, month)

    existing = CheckIn.objects.filter(user=request.user, month=month).first()
    triggers = list(checkin_triggers(user=request.user, checkin=existing))
    form = CheckInForm(request.POST, triggers=triggers)
    saved = None
    if form.is_valid():
        try:
            saved = checkin_save_answers(
                user=request.user, month=month, triggers=triggers, answers=form.answers(), checkin=existing
            )
        except NoteNeedsLevel as problem:
            form.add_error(f"level_{problem.trigger.pk}", str(problem))
        except LimitReached as full:
            form.add_error(None, str(full))

    if request.htmx:
        if saved is None:
            error = " ".join(str(message) for errors in form.errors.values() for message in errors)
            return render_part(request, "checkin.html", "status", {"error": error}, invalid=True)
        return render_part(request, "checkin.html", "status", _checkin_state(request, month, saved))
    if saved is None:
        return _checkin_page(request, month, form)
    messages.success(request, f"Check-in for {month:%B %Y} saved.")
    return redirect("checkin", month=month)


@require_POST
def checkin_copy(request: HtmxHttpRequest, month: date) -> HttpResponse:
    """“Copy last month's answers”: one request, one transaction (services.checkin_copy_previous)."""
    if refused := _checkin_refused_future(request, month):
        return refused
    try:
        copied = checkin_copy_previous(user=request.user, month=month)
    except (NothingToCopy, LimitReached) as problem:
        if request.htmx:
            return render_part(request, "checkin.html", "status", {"error": str(problem)}, invalid=True)
        messages.error(request, str(problem))
        return _checkin_page(request, month, status=400)
    n = len(copied.answers)
    message = f"Copied {n} answer{'' if n == 1 else 's'} from {copied.source.month:%B %Y}."
    state = _checkin_state(request, month, copied.checkin)
    if request.htmx:
        context = {**state, "message": message, "copied": copied.answers}
        return render_part(request, "checkin.html", "status", context)
    messages.success(request, message)
    return redirect(reverse("checkin", args=[month]) + ("#done" if state["progress"].done else ""))


@require_POST
def checkin_intro(request: HtmxHttpRequest, month: date) -> HttpResponse:
    """Open or close the check-in's introduction for good (until changed again)."""
    shown = {"1": True, "0": False}.get(request.POST.get("open", ""))
    if shown is None:
        return HttpResponse("Say whether the introduction is open (1) or closed (0).", status=400)
    UserSettings.objects.update_or_create(user=request.user, defaults={"checkin_intro": shown})
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("checkin", month=month)


# A page of history holds five years of check-ins, with the months missed between them;
# older ones are on the next pages.
HISTORY_PAGE = 60


@require_GET
def history(request: HtmxHttpRequest) -> HttpResponse:
    """Every month from the first check-in to this one, newest first, five years of check-ins
    a page; a missed month is a row that says so and leads to filling it in."""
    checkins = CheckIn.objects.filter(user=request.user)
    turn_up_level = UserSettings.of(request.user).turn_up_level
    page = Paginator(with_counts(checkins, turn_up_level), HISTORY_PAGE).get_page(request.GET.get("page"))
    shown = list(page)
    if not shown:
        return render(request, "history.html", {"page": page, "months": []})
    # A page runs up to the month before the next newer check-in (the previous page's
    # oldest), so each missed month is on exactly one page; the first, up to this month.
    newer = checkins.filter(month__gt=shown[0].month).order_by("month").first()
    until = previous_month(newer.month) if newer else max(shown[0].month, this_month())
    months = metrics.monthly(shown, shown[-1].month, until)[::-1]
    return render(request, "history.html", {"page": page, "months": months, "search": SearchForm()})


@require_GET
def search_notes(request: HtmxHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = search.build(request.user, form.cleaned_data["q"])
    context = {"search": form, "results": results}
    return render(request, "search.html", context, status=400 if form.errors else 200)


# Checklist ------------------------------------------------------------------

# The checklist page lists the newest changes; all of them are a page away, this many a page.
CHANGES_SHOWN = 10
CHANGES_PAGE = 100


def _get_trigger(request: HtmxHttpRequest, pk: int) -> Trigger:
    return get_object_or_404(Trigger, pk=pk, user=request.user)


def _checklist(
    request: HtmxHttpRequest,
    *,
    editing: int | None = None,
    add_form: TriggerForm | None = None,
    edit_form: TriggerForm | None = None,
    invalid: bool = False,
) -> HttpResponse:
    triggers = list(Trigger.objects.filter(user=request.user).with_rated())
    active = [t for t in triggers if t.retired is None]
    # One more than is shown says whether there are older ones, without counting them all.
    changes = list(ChecklistChange.objects.filter(user=request.user)[: CHANGES_SHOWN + 1])
    context = {
        "changes": changes[:CHANGES_SHOWN],
        "more_changes": len(changes) > CHANGES_SHOWN,
        "themes": sorted({*THEMES, *(t.theme for t in triggers if t.theme)}),
        "active": active,
        "retired": [t for t in triggers if t.retired is not None],
        "full": Trigger.no_room(active=len(active), total=len(triggers)),
        "editing": editing,
        "add_form": add_form or TriggerForm(),
        "edit_form": edit_form,
    }
    return render_part(request, "checklist.html", "checklist", context, invalid=invalid)


def _checklist_done(request: HtmxHttpRequest, message: str = "") -> HttpResponse:
    if request.htmx:
        return _checklist(request)
    if message:
        messages.success(request, message)
    return redirect("checklist")


@require_GET
def checklist(request: HtmxHttpRequest) -> HttpResponse:
    return _checklist(request)


@require_GET
def checklist_changes(request: HtmxHttpRequest) -> HttpResponse:
    changes = ChecklistChange.objects.filter(user=request.user)
    page = Paginator(changes, CHANGES_PAGE).get_page(request.GET.get("page"))
    return render(request, "checklist_changes.html", {"changes": page, "page": page})


@require_POST
def trigger_add(request: HtmxHttpRequest) -> HttpResponse:
    form = TriggerForm(request.POST)
    if form.is_valid():
        try:
            Trigger.objects.add(user=request.user, **form.cleaned_data)
        except LimitReached as full:
            form.add_error(None, str(full))
    if not form.is_valid():
        return _checklist(request, add_form=form, invalid=True)
    return _checklist_done(request, f"Added “{form.cleaned_data['title']}”.")


@require_http_methods(["GET", "POST"])
def trigger_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    trigger = _get_trigger(request, pk)
    if request.method == "GET":
        return _checklist(
            request, editing=trigger.pk, edit_form=TriggerForm(instance=trigger, auto_id="edit_%s")
        )
    form = TriggerForm(request.POST, instance=trigger, auto_id="edit_%s")
    if not form.is_valid():
        return _checklist(request, editing=trigger.pk, edit_form=form, invalid=True)
    trigger.reword(**form.cleaned_data)
    return _checklist_done(request, "Saved.")


@require_POST
def trigger_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    trigger = _get_trigger(request, pk)
    if action == "delete":
        if trigger.ratings.exists():
            messages.error(request, "This trigger has ratings, so it can only be retired.")
            return _checklist_done(request)
        trigger.delete()
        return _checklist_done(request, f"Deleted “{trigger.title}”.")
    try:
        {
            "up": lambda: trigger.move(-1),
            "down": lambda: trigger.move(+1),
            "private": trigger.toggle_private,
            "retire": trigger.retire,
            "restore": trigger.restore,
        }[action]()
    except LimitReached as full:
        messages.error(request, f"“{trigger.title}” wasn’t restored. {full}")
        return _checklist(request, invalid=True)
    return _checklist_done(request)


# Export ---------------------------------------------------------------------


def _export_form(request: HtmxHttpRequest, data: QueryDict) -> exports.ExportForm:
    triggers = list(Trigger.objects.filter(user=request.user))
    return exports.ExportForm(data, triggers=triggers, saved=exports.saved_choices(request.user, triggers))


def _export(request: HttpRequest, form: exports.ExportForm) -> tuple[exports.Export | None, list[str]]:
    """The export the choices make, or None and why it was refused."""
    if form.is_bound and not form.is_valid():
        return None, []
    try:
        return exports.build(request.user, form.choices()), []
    except exports.Refused as refused:
        return None, refused.messages


NEW_LINK = "_new_shared_link"  # the address just made, until the export page shows it once


def _export_page(
    request: HtmxHttpRequest,
    form: exports.ExportForm,
    *,
    shared: exports.Export | None,
    refused: list[str],
    link_form: sharing.LinkForm | None = None,
    link_error: str = "",
) -> HttpResponse:
    """The export page, or for htmx its preview (which needs no links)."""
    link_form = link_form or sharing.LinkForm()
    context = {
        "form": form,
        "refused": refused,
        "shared": shared,
        "markdown": shared and exports.markdown(shared),
        "link_form": link_form,
        "link_error": link_error,
        "links": None if request.htmx else sharing.live_links(request.user),
        "new_link": None if request.htmx else request.session.pop(NEW_LINK, None),
    }
    invalid = (form.is_bound and not shared) or bool(link_error) or bool(link_form.errors)
    return render_part(request, "export.html", "preview", context, invalid=invalid)


@require_GET
def export(request: HtmxHttpRequest) -> HttpResponse:
    form = _export_form(request, request.GET)
    shared, refused = _export(request, form)
    return _export_page(request, form, shared=shared, refused=refused)


@require_POST
def export_download(request: HtmxHttpRequest, fmt: str) -> HttpResponse:
    form = _export_form(request, request.POST)
    shared, refused = _export(request, form) if form.is_valid() else (None, [])
    if shared is None:
        return _export_page(request, form, shared=None, refused=refused)
    exports.remember(request.user, form.choices())
    name = f"career-check-in-{shared.start:%Y-%m}-to-{shared.end:%Y-%m}"
    if fmt == "print":
        return render(request, "export_print.html", {"export": shared})
    if fmt == "csv":
        # The byte-order mark makes spreadsheet programs read the file as UTF-8.
        body, content_type, name = "\ufeff" + exports.csv_text(shared), "text/csv", f"{name}.csv"
    else:
        body, content_type, name = exports.markdown(shared), "text/markdown", f"{name}.md"
    return HttpResponse(
        body,
        content_type=f"{content_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@require_POST
def link_create(request: HtmxHttpRequest) -> HttpResponse:
    form = _export_form(request, request.POST)
    link_form = sharing.LinkForm(request.POST)
    shared, refused = _export(request, form) if form.is_valid() else (None, [])
    if shared is None or not link_form.is_valid():
        return _export_page(request, form, shared=shared, refused=refused, link_form=link_form)
    try:
        _, token = sharing.create(user=request.user, export=shared, days=link_form.cleaned_data["days"])
    except LimitReached as full:
        return _export_page(
            request, form, shared=shared, refused=[], link_form=link_form, link_error=str(full)
        )
    exports.remember(request.user, form.choices())
    request.session[NEW_LINK] = request.build_absolute_uri(reverse("shared", args=[token]))
    # Back to the same choices, so the preview beside the new link is what it shows.
    choices = request.POST.copy()
    for name in ("csrfmiddlewaretoken", "days"):
        choices.pop(name, None)
    return redirect(f"{reverse('export')}?{choices.urlencode()}#links")


@require_POST
def link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(SharedLink, pk=pk, user=request.user)
    link.delete()  # with its copy of the export: the address finds nothing from now on
    messages.success(request, f"The link to {link.period} is revoked. It no longer opens.")
    return redirect(reverse("export") + "#links")


# A shared link's page is for someone without an account, at an address holding a secret:
# it sends no Referer onwards, asks search engines to keep out, and is never cached (see
# careerapp.middleware). An unknown, revoked or expired address gets the same 404 page.
SHARED_HEADERS = {"Referrer-Policy": NO_REFERRER, "X-Robots-Tag": "noindex, nofollow"}


@login_not_required
@require_GET
def shared_link(request: HttpRequest, token: str) -> HttpResponse:
    link = sharing.find(token)
    if link is None:
        response = not_found(request, Http404())
    else:
        if request.user.pk != link.user_id:  # the owner checking their own link isn't an opening
            sharing.record_opening(link)
        export = exports.Export.from_snapshot(link.snapshot)
        response = render(request, "shared.html", {"link": link, "export": export})
    for header, value in SHARED_HEADERS.items():
        response[header] = value
    return response


# Settings -------------------------------------------------------------------


def _settings_page(
    request: HtmxHttpRequest, *, part: str = "", invalid: bool = False, status: int = 400, **forms
) -> HttpResponse:
    user_settings = UserSettings.of(request.user)
    token = user_settings.calendar_token
    jobs = list(Job.objects.filter(user=request.user))
    context = {
        "calendar_url": token and request.build_absolute_uri(reverse("calendar", args=[token])),
        "thresholds_form": forms.get("thresholds_form") or ThresholdsForm(instance=user_settings),
        "reminders_form": forms.get("reminders_form") or RemindersForm(instance=user_settings),
        "email_form": forms.get("email_form") or EmailForm(initial={"email": request.user.email}),
        "email_verified": user_settings.verifies(request.user.email),
        "jobs": jobs,
        "jobs_full": Job.no_room(len(jobs)),
        "job_form": forms.get("job_form") or JobForm(),
        "editing": forms.get("editing"),
        "edit_form": forms.get("edit_form"),
    }
    return render_part(request, "settings.html", part, context, invalid=invalid, status=status)


def _settings_page_done(request: HtmxHttpRequest, part: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return _settings_page(request, part=part) if request.htmx else redirect("settings")


def _save_user_settings(request: HtmxHttpRequest, form_class, part: str, message: str) -> HttpResponse:
    form = form_class(request.POST, instance=UserSettings.of(request.user))
    if not form.is_valid():
        return _settings_page(request, part=part, invalid=True, **{f"{part}_form": form})
    form.save()
    return _settings_page_done(request, part, message)


@require_http_methods(["GET", "POST"])
def settings_page(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _settings_page(request)
    return _save_user_settings(request, ThresholdsForm, "thresholds", "Thresholds saved.")


@require_POST
def reminders_update(request: HtmxHttpRequest) -> HttpResponse:
    return _save_user_settings(request, RemindersForm, "reminders", "Reminder settings saved.")


@require_POST
def calendar_token(request: HtmxHttpRequest) -> HttpResponse:
    UserSettings.of(request.user).new_calendar_token()
    return _settings_page_done(
        request, "reminders", "Your calendar address is ready. Any earlier one no longer works."
    )


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user_settings = get_object_or_404(UserSettings, calendar_token=token)
    url = request.build_absolute_uri(reverse("checkin_current"))
    return HttpResponse(reminders.calendar(user_settings, url), content_type="text/calendar; charset=utf-8")


def _get_job(request: HtmxHttpRequest, pk: int) -> Job:
    return get_object_or_404(Job, pk=pk, user=request.user)


@require_POST
def job_add(request: HtmxHttpRequest) -> HttpResponse:
    form = JobForm(request.POST, instance=Job(user=request.user))
    if form.is_valid():
        try:
            job = Job.objects.add(user=request.user, **form.cleaned_data)
        except LimitReached as full:
            form.add_error(None, str(full))
    if not form.is_valid():
        return _settings_page(request, part="jobs", job_form=form, invalid=True)
    return _settings_page_done(request, "jobs", f"Added {job}.")


@require_http_methods(["GET", "POST"])
def job_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    if request.method == "GET":
        return _settings_page(
            request, part="jobs", editing=job.pk, edit_form=JobForm(instance=job, auto_id="edit_%s")
        )
    form = JobForm(request.POST, instance=job, auto_id="edit_%s")
    if not form.is_valid():
        return _settings_page(request, part="jobs", editing=job.pk, edit_form=form, invalid=True)
    form.save()
    return _settings_page_done(request, "jobs", f"Saved {job}.")


@require_POST
def job_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    job.delete()
    return _settings_page_done(request, "jobs", f"Removed {job}.")


# Email: the address, its verification link, and password resets ----------------


# A page whose address holds a secret sends no Referer. It can't carry a form: browsers
# send "Origin: null" with a POST from it, which the CSRF check rightly refuses. So, as
# Django's password reset does, the link's page moves the secret into the session and
# redirects to an address without it.
VERIFY_TOKEN = "_verify_email_token"


def _send_link(request: HttpRequest, user: User) -> bool:
    try:
        mail.send_verification(user, request)
    except mail.NotSent as problem:
        messages.error(request, str(problem))
        return False
    messages.success(request, f"We sent a link to {user.email}. Open it within 3 days to verify the address.")
    return True


def _email_done(request: HtmxHttpRequest, *, invalid: bool = False, status: int = 400) -> HttpResponse:
    if invalid:
        return _settings_page(request, part="email", invalid=True, status=status)
    if request.htmx:
        return _settings_page(request, part="email")
    return redirect(reverse("settings") + "#email")


@require_POST
def email_update(request: HtmxHttpRequest) -> HttpResponse:
    if "remove" in request.POST:
        mail.change_address(user=request.user, address="")
        messages.success(request, "Your email address is removed. No email goes out until you add one.")
        return _email_done(request)
    form = EmailForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, part="email", invalid=True, email_form=form)
    if mail.change_address(user=request.user, address=form.cleaned_data["email"]):
        _send_link(request, request.user)
    else:
        messages.success(request, "Saved.")
    return _email_done(request)


@require_POST
def email_resend(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    if not user.email or UserSettings.of(user).verifies(user.email):
        messages.error(request, "There is no address waiting to be verified.")
        return _email_done(request, invalid=True)
    if not _send_link(request, user):
        return _email_done(request, invalid=True, status=429)
    return _email_done(request)


def _link_refused(request: HttpRequest, problem: mail.LinkRefused) -> HttpResponse:
    context = {"title": "Address not verified", "message": str(problem)}
    return render(request, "refused.html", context, status=problem.status)


@login_not_required
@require_GET
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification email. It works logged out too: the link is the proof."""
    try:
        mail.check_link(token, request.user)
    except mail.LinkRefused as problem:
        response = _link_refused(request, problem)
    else:
        request.session[VERIFY_TOKEN] = token
        response = redirect("verify_email_confirm")
    response["Referrer-Policy"] = NO_REFERRER
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_email_confirm(request: HttpRequest) -> HttpResponse:
    """Opening the link only asks; the button verifies, so a mail scanner fetching links can't."""
    try:
        user, _ = mail.check_link(request.session.get(VERIFY_TOKEN, ""), request.user)
        if request.method == "POST":
            mail.verify(user)
    except mail.LinkRefused as problem:
        return _link_refused(request, problem)
    if request.method == "GET":
        already = UserSettings.of(user).verifies(user.email)
        return render(request, "email_verify.html", {"address": user.email, "already": already})
    del request.session[VERIFY_TOKEN]
    messages.success(request, f"{user.email} is verified. Reminders and password resets go to it.")
    return redirect(reverse("settings") + "#email" if request.user.is_authenticated else "login")


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Django's “forgot password”, offered only where email reaches people."""

    form_class = VerifiedPasswordResetForm
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"

    def dispatch(self, request, *args, **kwargs):
        if not mail.configured():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The reset link's page: its address holds the token, until Django moves it into the
    session and redirects to the form."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if kwargs["token"] != self.reset_url_token:
            response["Referrer-Policy"] = NO_REFERRER
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@require_GET
def backup_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(backup.dumps(backup.dump(request.user)), content_type="application/json")
    filename = f"careerapp-backup-{request.user.username}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The CSRF check reads the form, so the middleware's would read the whole upload before
# the view could judge its size: this view is exempt from it and makes the same check
# itself once the size is known to be fine (see Django's "Modifying upload handlers").
@csrf_exempt
@require_POST
def backup_restore(request: HtmxHttpRequest) -> HttpResponse:
    problem = backup.body_problem(request.META.get("CONTENT_LENGTH"))
    if problem:
        return _restore_refused(request, *problem)
    return _backup_restore(request)


@csrf_protect
def _backup_restore(request: HtmxHttpRequest) -> HttpResponse:
    upload = request.FILES.get("backup")
    try:
        if any(getattr(handler, "too_large", False) for handler in request.upload_handlers):
            raise backup.RestoreError(backup.TOO_LARGE)
        if upload is None:
            raise backup.RestoreError("Choose a backup file to restore.")
        backup.restore(request.user, backup.load(upload))
    except backup.RestoreError as problem:
        return _restore_refused(request, str(problem))
    messages.success(request, "Backup restored.")
    return redirect("settings")


def _restore_refused(request: HtmxHttpRequest, problem: str, status: int = 400) -> HttpResponse:
    messages.error(request, f"Nothing was restored. {problem}")
    return _settings_page(request, invalid=True, status=status)


@require_http_methods(["GET", "POST"])
def account_delete(request: HtmxHttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, request=request)
    if form.is_valid():
        user = request.user
        logout(request)
        user.delete()
        messages.success(request, "Your account and everything in it are deleted.")
        response = redirect("login")
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        # The device cookie vouched for an account that is gone.
        response.delete_cookie(throttle.DEVICE_COOKIE, samesite="Lax")
        return response
    status = 429 if throttle.refused(form) else 400 if form.errors else 200
    return render(request, "account_delete.html", {"form": form}, status=status)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(
        request,
        "refused.html",
        {"title": "Not found", "message": "There is nothing here."},
        status=404,
    )


# What goes with satisfaction, and the year in review -----------------------------------


@require_GET
def insights_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "insights.html", {"insights": insights.build(request.user)})


@require_GET
def year_latest(request: HtmxHttpRequest) -> HttpResponse:
    """The latest year with a check-in, or this year when there is none."""
    years = year_review.years_with_checkins(request.user)
    return redirect("year", year=years[-1] if years else this_month().year)


@require_GET
def year_page(request: HtmxHttpRequest, year: int) -> HttpResponse:
    triggers = list(Trigger.objects.filter(user=request.user).defer("description"))
    # Unbound until the person chooses: then the export's remembered choices apply.
    chosen = any(key.startswith("t_") for key in request.GET)
    saved = exports.saved_choices(request.user, triggers)
    form = exports.VisibilityForm(request.GET if chosen else None, triggers=triggers, saved=saved)
    review, refused = None, []
    if not chosen or form.is_valid():
        try:
            review = year_review.build(request.user, year, triggers=triggers, visibility=form.visibility())
        except exports.Refused as refusal:
            refused = refusal.messages
    context = {
        "year": year,
        "years": year_review.years_with_checkins(request.user),
        "review": review,
        "form": form,
        "refused": refused,
        "query": request.GET.urlencode() if chosen else "",
        "this_year": this_month().year,
    }
    return render(request, "year.html", context, status=200 if review else 400)
