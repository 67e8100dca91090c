"""The fields the shipped tasks point at on the demo case software, and their fingerprints as
the overlay's own code (overlay_js/src/locate.js) reads them in Chromium.

    python -m bench.demo_targets            # print each target and its fingerprint
    python -m bench.demo_targets --write    # write the fingerprints into tasks/*.yaml

The robustness benchmark (bench/targets.py) and the content check of the browser tests use
the same list, so the shipped fingerprints stay those of the demo screens."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from epss.cli import prepare_demo
from epss.demo.cases import SCHERMEN
from epss.settings import Settings
from epss.taskfile import dump_document, load_text
from epss.taskfile.model import TaskDocument

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
LOCATE_JS = Path(__file__).parents[1] / "overlay_js" / "src" / "locate.js"
TASKS = Path(__file__).parents[1] / "tasks"


@dataclass(frozen=True)
class Target:
    """A step's field on a demo screen: the first of its selectors found there."""

    slug: str
    step_id: str
    screen: str
    selector: str


def shipped_documents() -> list[TaskDocument]:
    return [load_text(path.read_text(encoding="utf-8"), path.stem) for path in task_files()]


def task_files() -> list[Path]:
    return sorted(TASKS.glob("*.yaml"))


def screens_of(document: TaskDocument) -> list[str]:
    """The demo screens that show the task's case type."""
    return [s.path for s in SCHERMEN if s.zaaktype and s.zaaktype in document.zaaktypen]


def with_locate(page: Page) -> None:
    """Gives the page locate.js's `fingerprintOf` and `locate` as globals (evaluated, not a
    script tag, so the page's Content Security Policy has no say)."""
    code = LOCATE_JS.read_text(encoding="utf-8")
    page.evaluate(f"() => {{\n{code}\nObject.assign(window, {{fingerprintOf, locate}});\n}}")


def demo_targets(page: Page, base: str, documents: list[TaskDocument]) -> list[Target]:
    """Every step target of `documents` that a demo screen of its case type shows."""
    targets: dict[tuple[str, str], Target] = {}
    for document in documents:
        for screen in screens_of(document):
            page.goto(base + screen)
            for step in document.steps:
                found = next((s for s in step.target if page.locator(s).count() == 1), None)
                if found and (document.slug, step.id) not in targets:
                    targets[document.slug, step.id] = Target(document.slug, step.id, screen, found)
    return list(targets.values())


def fingerprint(page: Page, selector: str) -> dict:
    with_locate(page)
    return page.evaluate("(s) => fingerprintOf(document.querySelector(s))", selector)


@contextmanager
def demo_browser() -> Iterator[tuple[Browser, str]]:
    """Chromium and the demo service (its case software at base + '/demo/…')."""
    # Imported here: bench.server needs the bench extra (psutil), and the browser tests use
    # the rest of this module without it.
    from bench.server import running_server

    if not shutil.which("chromium"):
        raise SystemExit("Chromium is needed: apt-get install chromium")
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        prepare_demo(Settings(data_dir=data, demo=True), origin="http://127.0.0.1")
        with (
            running_server(data, data / "server.log", demo=True) as (api, _server),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
            )
            try:
                yield browser, api.removesuffix("/api/v1")
            finally:
                browser.close()


def write_fingerprints(found: dict[tuple[str, str], dict]) -> list[Path]:
    """Sets each step's fingerprint in its task file; returns the files changed."""
    changed = []
    for path in task_files():
        document = load_text(path.read_text(encoding="utf-8"), path.stem)
        data = document.model_dump(mode="json")
        for step in data["steps"]:
            step["target_fingerprint"] = found.get((document.slug, step["id"]))
        again = TaskDocument.model_validate(data)
        text = dump_document(again)
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write them into tasks/*.yaml")
    args = parser.parse_args()
    with demo_browser() as (browser, base):
        page = browser.new_page()
        found = {}
        for target in demo_targets(page, base, shipped_documents()):
            page.goto(base + target.screen)
            found[target.slug, target.step_id] = fingerprint(page, target.selector)
            print(target.slug, target.step_id, target.selector, found[target.slug, target.step_id])
    if args.write:
        for path in write_fingerprints(found):
            print("wrote", path)


if __name__ == "__main__":
    main()
