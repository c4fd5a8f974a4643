"""Test support shared by several test modules."""

import threading

from django.db import connection


def in_parallel(count: int, request) -> list[int]:
    """Sends `request(n)` from `count` threads at once; the status codes."""
    barrier = threading.Barrier(count)
    codes = []

    def run(n):
        try:
            barrier.wait()
            codes.append(request(n).status_code)
        finally:
            connection.close()  # each thread has its own

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes
