"""Kill the server with SIGKILL in the middle of autosave load, restart it, and check
that every acknowledged save survived and SQLite's integrity check is clean.

Run by hand: `.venv/bin/python bench/faults.py [--users 10] [--seconds 20] [--kills 3]`.
"""

import argparse
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Session, autosave, lost_saves, prepare, report, run  # noqa: E402
from tests.server import environment, free_port, manage, start_server, stop_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--kills", type=int, default=3)
    args = parser.parse_args()
    path = f"{tempfile.mkdtemp()}/faults.sqlite3"
    env = environment(f"sqlite:///{path}")
    prepare(env, args.users)
    port = free_port()
    server = start_server(env, port)
    sessions = [Session(port, f"load{n}") for n in range(args.users)]

    def killer() -> None:
        nonlocal server
        for _ in range(args.kills):
            time.sleep(args.seconds / (args.kills + 1))
            stop_server(server, signal.SIGKILL)  # no chance to finish anything
            print(f"killed gunicorn (SIGKILL) at {time.strftime('%X')}, restarting")
            server = start_server(env, port)

    thread = threading.Thread(target=killer)
    thread.start()
    result = run(sessions, args.seconds, autosave)
    thread.join()
    stop_server(server)

    report("autosave during kills", result)
    print(f"acknowledged saves checked: {len(result['acks'])}")
    print(f"lost: {lost_saves(env, result['acks'])}")
    # Through Django's connection: the CHECK constraints use functions it registers.
    check = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA integrity_check')\n"
        "    print(c.fetchone()[0])\n"
    )
    print(f"integrity_check: {manage(env, 'shell', '-c', check).strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
