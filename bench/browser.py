"""The dashboard's first visit in Chromium, against gunicorn as production runs it.

Run by hand: `.venv/bin/python bench/browser.py [--runs 10] [--viewport 1200x900]`. Builds a
fresh SQLite database with the demo account (three years of check-ins), collects the static
files, starts gunicorn with DEBUG off, then loads each page in a new browser context (an
empty cache, logged in by cookie) and prints the medians: bytes transferred,
DOMContentLoaded, the first chart drawn and every chart drawn, each from the start of the
navigation, as a reader sees them: once the first is drawn, the page is scrolled to its end.

The charts are SVG and HTML in the page itself, drawn with it by the browser: no script
draws them, so none can say when it has. A script installed before the page's own marks
each chart "chart drawn" in the first frame painted after the document was parsed
(DOMContentLoaded, then the next frame and the task after it): the latest each can have
been drawn, not the earliest.
"""

import argparse
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.server import CHROMIUM, CHROMIUM_ARGS, start_demo, stop_server  # noqa: E402

PAGES = ["/", "/?range=all"]

CHARTS = "svg.plot, table.heatmap, ol.pairs"
MARK_DRAWN = f"""
document.addEventListener("DOMContentLoaded", () => requestAnimationFrame(() => setTimeout(() => {{
  document.querySelectorAll("{CHARTS}").forEach((chart) => performance.mark("chart drawn"));
}})));
"""
ALL_DRAWN = f"""() => document.querySelectorAll("{CHARTS}").length
  === performance.getEntriesByName("chart drawn").length"""
TIMINGS = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const drawn = performance.getEntriesByName("chart drawn").map((mark) => mark.startTime);
  return {dcl: navigation.domContentLoadedEventEnd, first: Math.min(...drawn), all: Math.max(...drawn)};
}"""


def log_in(browser, base: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    state = context.storage_state()
    context.close()
    return state


def visit(browser, base: str, path: str, state: dict, viewport: dict) -> dict:
    """One first visit: a new context has an empty cache."""
    context = browser.new_context(storage_state=state, viewport=viewport)
    context.add_init_script(MARK_DRAWN)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    transferred = []
    cdp.on("Network.loadingFinished", lambda event: transferred.append(event["encodedDataLength"]))
    page.goto(base + path, wait_until="commit")
    # A reader looks at the first chart, then scrolls to the end to see the rest.
    page.wait_for_function("() => performance.getEntriesByName('chart drawn').length > 0")
    page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(ALL_DRAWN)
    page.wait_for_load_state("networkidle")
    result = page.evaluate(TIMINGS) | {"bytes": sum(transferred)}
    context.close()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--viewport", default="1200x900", help="width x height, in CSS pixels")
    args = parser.parse_args()
    width, height = (int(n) for n in args.viewport.split("x"))
    folder = Path(tempfile.mkdtemp())
    base, server = start_demo(folder)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            state = log_in(browser, base)
            for path in PAGES:
                visit(browser, base, path, state, {"width": width, "height": height})  # warms the server
                runs = [
                    visit(browser, base, path, state, {"width": width, "height": height})
                    for _ in range(args.runs)
                ]
                rows.append((path, {key: statistics.median(run[key] for run in runs) for key in runs[0]}))
            browser.close()
    finally:
        stop_server(server)

    print(f"$ python {shlex.join(sys.argv)}")
    print(f"gunicorn, DEBUG off, demo account, cold cache, {width}x{height}, medians of {args.runs} runs")
    print(f"{'page':<14}{'transferred':>13}{'DOMContentLoaded':>18}{'first chart':>13}{'all charts':>12}")
    for path, m in rows:
        print(
            f"{path:<14}{m['bytes'] / 1024:>9.0f} KiB{m['dcl']:>15.0f} ms"
            f"{m['first']:>10.0f} ms{m['all']:>9.0f} ms"
        )


if __name__ == "__main__":
    main()
