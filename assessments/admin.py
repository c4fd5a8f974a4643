"""The admin manages accounts and nothing else.

Whoever runs the server is not the people's manager: check-ins, ratings, notes, talking
points, triggers, jobs and settings are never shown here, not even as the names of what
a deleted account takes with it. The admin's log-in is throttled like the app's.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User

from .forms import LogInForm
from .models import UserSettings


class ThrottledAdminAuthenticationForm(LogInForm, AdminAuthenticationForm):
    """The admin's log-in form, its password check counted by the app's throttle."""


admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    def get_deleted_objects(self, objs, request):
        # Django would list every check-in, trigger and job by name.
        _, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        accounts = [f"{user}, with everything they wrote in careerapp" for user in objs]
        return accounts, {User._meta.verbose_name_plural: len(accounts)}, perms_needed, protected

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data:
            # Whoever runs the server can't vouch for an address: its owner verifies it anew.
            UserSettings.objects.filter(user=obj).exclude(verified_email=obj.email).update(
                verified_email=None
            )
