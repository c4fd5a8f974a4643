"""Kill the server with SIGKILL in the middle of autosave load, restart it, and check
that every acknowledged save survived and SQLite's integrity check is clean.

Run by hand: `.venv/bin/python bench/faults.py [--users 10] [--seconds 20] [--kills 3]`.
"""

import argparse
import signal
import tempfile
import threading
import time

from load import (
    Session,
    autosave,
    environment,
    free_port,
    lost_saves,
    manage,
    prepare,
    report,
    run,
    start_server,
    stop_server,
)


def main():
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
    sessions = []
    for n in range(args.users):
        session = Session(port, f"load{n}")
        session.username = f"load{n}"
        sessions.append(session)

    def killer():
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
