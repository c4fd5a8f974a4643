import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from .factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def check_deploy(**environment):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; production doesn't.
    env = {
        **{
            name: value
            for name, value in os.environ.items()
            if name not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL", "DEMO")
        },
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "a-long-random-looking-secret-for-this-test-only",
        "ALLOWED_HOSTS": "career.example.com",
        "DJANGO_SETTINGS_MODULE": "careerapp.settings",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(SITE_URL="https://career.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_site_url_is_missing():
    result = check_deploy()
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "careerapp.W001" in output
    assert "SITE_URL is not set" in output
    assert "1 issue" in output, "SITE_URL is the only thing missing"


def test_check_deploy_warns_when_the_demo_is_offered():
    result = check_deploy(SITE_URL="https://career.example.com", DEMO="1")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "careerapp.W002" in output
    assert "1 issue" in output


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "", "DJANGO_SETTINGS_MODULE": "careerapp.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/", "/check-in/", "/checklist/", "/history/", "/search/?q=x", "/settings/"]
)
def test_every_page_sends_a_strict_content_security_policy(owner_client, url):
    response = owner_client.get(url, follow=True)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy


def test_templates_load_nothing_from_another_origin_and_hold_no_inline_script():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r'(src|href)="(https?:)?//', text), template
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)
        assert not re.search(r"\son[a-z]+=", text), template


def test_htmx_is_configured_to_need_no_eval_and_no_inline_style(owner_client):
    page = owner_client.get("/checklist/").content.decode()
    assert '"allowEval": false' in page
    assert '"includeIndicatorStyles": false' in page
    assert "X-CSRFToken" in page  # htmx sends the CSRF token with every request
    # No snapshots of pages in the tab's storage; Back and Forward load the page afresh.
    assert '"historyCacheSize": 0, "refreshOnHistoryMiss": true' in page


def test_pages_for_visitors_not_logged_in_load_no_htmx(owner_client):
    # htmx writes the address on show into the tab's storage, which log-out empties.
    log_in_page = Client().get(reverse("login"))
    assert log_in_page.status_code == 200 and "Password" in log_in_page.text
    assert "htmx" not in log_in_page.text.replace("htmx-config", "")
    assert "django_htmx/htmx" in owner_client.get(reverse("history")).text


@pytest.mark.django_db
def test_the_session_cookie_is_http_only_and_same_site(client, owner):
    response = client.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_sign_up_refuses_a_weak_password(client):
    response = client.post(
        "/signup/", {"username": "newbie", "password1": "password", "password2": "password"}
    )
    assert response.status_code == 400
    assert "This password is too common." in response.content.decode()
    assert not get_user_model().objects.filter(username="newbie").exists()
