"""The app as production runs it: gunicorn with 2 workers and DEBUG off, in processes of
its own. For the production browser tests and the benchmarks in bench/; it imports
nothing of Django, so a script can use it before any settings exist."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Debian's Chromium, as bench/browser.py launches it: the browser people use. The browser
# tests launch its headless shell, the same engine without the browser around it (what
# Playwright launches for headless tests itself), which takes a third less time. CHROMIUM
# points both at another build.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HEADLESS_SHELL = os.environ.get("CHROMIUM", "/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def environment(database_url: str) -> dict[str, str]:
    """Production settings on `database_url`, over plain HTTP on 127.0.0.1."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-not-a-secret-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DJANGO_SETTINGS_MODULE": "careerapp.settings",
    }


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command in its own process; its output."""
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "careerapp.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group, so it can be killed whole
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError("gunicorn did not start")


def stop_server(server: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM) -> None:
    os.killpg(server.pid, sig)
    server.wait()


def start_demo(folder: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """A fresh SQLite database in `folder` with the demo account, the static files collected,
    and the server on it: its address and its process."""
    env = environment(f"sqlite:///{folder / 'db.sqlite3'}") | {"STATIC_ROOT": str(folder / "static")}
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "seed_demo")
    port = free_port()
    return f"http://127.0.0.1:{port}", start_server(env, port)
