"""Overlay benchmark: the size of /overlay.js, click → steps on a cold and a warm panel,
and the main-thread time the overlay costs a page at start-up (median / max; on a first
visit with empty caches and on a repeat visit), in Debian's Chromium on loopback, on the
demo's Verhuizing screen. Each figure is printed with its budget and
with a baseline from the same run.

    python -m bench.overlay [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.server import running_server
from epss.cli import prepare_demo
from epss.overlay.bundle import shipped_bundle
from epss.settings import Settings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREEN = "/demo/verhuizing"
# Script evaluation and callbacks (devtools.timeline), compiles (v8), microtasks (v8.execute).
TRACE_CATEGORIES = ["devtools.timeline", "v8", "v8.execute"]

# Click the launcher, then wait until the steps are in the panel and laid out.
CLICK_TO_STEPS = """async () => {
  const root = document.querySelector('epss-overlay').shadowRoot;
  const launcher = root.querySelector('.epss-launcher');
  const start = performance.now();
  launcher.click();
  await new Promise((done) => {
    const ready = () => {
      const step = root.querySelector('.epss-panel:not(.epss-closed) .epss-step');
      return step && step.getBoundingClientRect().height > 0;
    };
    if (ready()) return done();
    const observer = new MutationObserver(() => {
      if (ready()) { observer.disconnect(); done(); }
    });
    observer.observe(root, { childList: true, subtree: true });
  });
  return performance.now() - start;
}"""
# The launcher knows the task of the screen: the overlay has started and matched the page.
READY = (
    "() => document.querySelector('epss-overlay')?.shadowRoot"
    ".querySelector('.epss-launcher').title.startsWith('Hulp bij')"
)
# The least an overlay does at start-up: fetch its manifest and read its stored state.
FLOOR = """fetch('/api/v1/apps/demo-zaaksysteem/manifest').then((r) => r.json());
localStorage.getItem('epss:events');"""
# A baseline from the same page: a click on a host button that shows a hidden element.
HOST_CLICK = """() => {
  const el = document.createElement('div');
  el.hidden = true;
  el.textContent = 'x';
  document.body.append(el);
  const button = document.createElement('button');
  button.onclick = () => { el.hidden = false; };
  document.body.append(button);
  const start = performance.now();
  button.click();
  el.getBoundingClientRect();
  const took = performance.now() - start;
  el.remove(); button.remove();
  return took;
}"""


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main_thread_figures(trace: bytes, script: str) -> tuple[float, float, int]:
    """From a Chromium trace: the main-thread time of the tasks that ran the overlay's code
    (evaluating the script, every callback into it: idle callbacks, observers, timers;
    and the microtasks that ran after it started: fetches resolving, awaits going on) as
    wall time and as the thread's CPU time (which a busy machine does not inflate: time
    the thread waited for a core is left out), and how many of those took 50 ms or more
    (long tasks). The demo screen runs no promise-based code of its own."""
    events = [e for e in json.loads(trace)["traceEvents"] if e.get("ph") == "X"]
    ours = [
        e
        for e in events
        if e["name"] in ("EvaluateScript", "FunctionCall", "v8.compile")
        and script in str(e.get("args", {}).get("data", {}).get("url", ""))
    ]
    if not ours:
        return 0.0, 0.0, 0
    first = min(ours, key=lambda e: e["ts"])
    ours += [
        e
        for e in events
        if e["name"] == "RunMicrotasks" and e["tid"] == first["tid"] and e["ts"] >= first["ts"]
    ]
    ours.sort(key=lambda e: (e["tid"], e["ts"], -e.get("dur", 0)))
    wall, cpu, long_tasks, end = 0.0, 0.0, 0, {}
    for e in ours:  # nested events count once: the outermost
        if e["ts"] < end.get(e["tid"], -1):
            continue
        end[e["tid"]] = e["ts"] + e.get("dur", 0)
        wall += e.get("dur", 0) / 1000
        cpu += e.get("tdur", e.get("dur", 0)) / 1000
        long_tasks += e.get("dur", 0) >= 50_000
    return wall, cpu, long_tasks


def measure(base: str, runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {
        k: []
        for k in (
            "cold",
            "warm",
            "host",
            "startup",
            "startup_cpu",
            "repeat",
            "repeat_cpu",
            "long",
            "floor",
            "floor_cpu",
        )
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        for run in range(runs):
            context = browser.new_context()  # an empty cache: a cold panel
            page = context.new_page()
            page.goto(base + SCREEN)
            page.wait_for_function(READY)
            page.wait_for_timeout(300)
            figures["cold"].append(page.evaluate(CLICK_TO_STEPS))
            page.evaluate("() => EPSS.close()")
            figures["warm"].append(page.evaluate(CLICK_TO_STEPS))
            figures["host"].append(page.evaluate(HOST_CLICK))
            context.close()
            # Start-up on a first visit (empty caches), then on a repeat visit: the script
            # from the browser's cache and, from the third load on, V8's code cache.
            context = browser.new_context()
            page = context.new_page()
            for visit in range(4):
                if visit in (0, 3):
                    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
                page.goto(base + SCREEN, wait_until="load")
                page.wait_for_function(READY)  # started (after load), the manifest is in
                page.wait_for_timeout(500)
                if visit in (0, 3):
                    busy, cpu, long_tasks = main_thread_figures(
                        browser.stop_tracing(), "/overlay.js"
                    )
                    kind = "startup" if visit == 0 else "repeat"
                    figures[kind].append(busy)
                    figures[f"{kind}_cpu"].append(cpu)
                    figures["long"].append(long_tasks)
            context.close()
            # The floor any overlay pays: one fetch of the manifest, one storage read.
            context = browser.new_context()
            page = context.new_page()
            page.route(
                "**/overlay.js",
                lambda route: route.fulfill(body=FLOOR, content_type="text/javascript"),
            )
            browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
            page.goto(base + SCREEN, wait_until="load")
            page.wait_for_timeout(1000)
            busy, cpu, _ = main_thread_figures(browser.stop_tracing(), "/overlay.js")
            figures["floor"].append(busy)
            figures["floor_cpu"].append(cpu)
            context.close()
            print(f"  run {run + 1}/{runs}", file=sys.stderr)
        browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if not shutil.which("chromium"):
        raise SystemExit("Chromium is needed: apt-get install chromium")
    bundle = shipped_bundle()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        # The demo pages call the service on their own origin: no CORS origin needed.
        prepare_demo(Settings(data_dir=data, demo=True), origin="http://127.0.0.1")
        with running_server(data, data / "server.log", demo=True) as (api, _server):
            f = measure(api.removesuffix("/api/v1"), args.runs)

    size = len(bundle.first.gzipped) / 1024
    print(f"\nOverlay benchmark, {args.runs} runs, Chromium on loopback, {SCREEN}\n")
    print(f"{'figure':<42}{'measured':>12}{'budget':>10}  baseline")
    print(
        f"{'/overlay.js gzipped':<42}{size:>9.1f} KB{'≤ 12 KB':>10}  "
        f"driver.js ≈ 7 KB, intro.js ≈ 20 KB; minified {len(bundle.first.code) / 1024:.1f} KB"
    )
    print(
        f"{'/overlay-panel.js gzipped (on first need)':<42}"
        f"{len(bundle.panel.gzipped) / 1024:>9.1f} KB{'':>10}"
    )
    for name, key, budget in (
        ("click → steps, cold panel (p50 / p95)", "cold", 100),
        ("click → steps, warm panel (p50 / p95)", "warm", 16),
    ):
        values = f[key]
        host = statistics.median(f["host"])
        print(
            f"{name:<42}{p(values, 50):>5.1f} / {p(values, 95):>4.1f} ms{f'≤ {budget} ms':>9}"
            f"  host click → shown {host:.2f} ms (×{statistics.median(values) / host:.0f})"
        )
    for name, key in (
        ("start-up main-thread time, first visit", "startup"),
        ("  the same, CPU time of the thread", "startup_cpu"),
        ("  on a repeat visit (caches warm)", "repeat"),
        ("  on a repeat visit, CPU time", "repeat_cpu"),
    ):
        values, floor = f[key], f[key.replace("startup", "floor").replace("repeat", "floor")]
        print(
            f"{name:<42}{statistics.median(values):>5.1f} / {max(values):>4.1f} ms"
            f"{'≤ 10 ms':>9}  a script that only fetches the manifest and reads storage: "
            f"{statistics.median(floor):.1f} ms"
        )
    print(
        f"{'long tasks of the overlay at start-up':<42}{sum(f['long']):>12.0f}{'0':>10}  "
        f"in {len(f['long'])} page loads"
    )
    print("\nEvent ingestion: python -m bench.events")


if __name__ == "__main__":
    main()
