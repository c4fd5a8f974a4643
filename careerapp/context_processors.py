from django.conf import settings

from assessments import mail


def signup_open(request):
    return {"signup_open": settings.SIGNUP_OPEN}


def email_configured(request):
    return {"email_configured": mail.configured()}
