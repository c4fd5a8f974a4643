from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """Emails link to the site; without SITE_URL their links lead nowhere."""
    if settings.DEBUG or settings.SITE_URL:
        return []
    return [
        checks.Warning(
            "SITE_URL is not set, so links in emails (reminders, address verification, "
            "password resets) have no address to point to.",
            hint="Set SITE_URL to the address people reach the app at, e.g. https://career.example.com.",
            id="careerapp.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def demo_is_off(app_configs, **kwargs):
    """With DEMO on, the landing page tells everyone the demo account's password."""
    if settings.DEBUG or not settings.DEMO:
        return []
    return [
        checks.Warning(
            "DEMO is on, so the landing page offers the demo account's log-in to every visitor.",
            hint="Unset DEMO in production; `make demo` sets it for a local demo.",
            id="careerapp.W002",
        )
    ]
