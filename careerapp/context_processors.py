from django.conf import settings


def signup_open(request):
    return {"signup_open": settings.SIGNUP_OPEN}
