"""The overlay's scripts, from the files listed in overlay_js/src/order.txt, minified and
gzipped once (with Zopfli: a gzip stream every browser reads, about 4 % smaller than zlib's
best). Two of them:

- `/overlay.js`, the first download: the files before `[panel]`, in one closure (the page
  gets no name but `EPSS`): the launcher, reading the page, matching, the event queue.
- `/overlay-panel.js`, fetched when the pointer or the focus comes near the launcher, or
  the panel opens: the files after `[panel]`. It hands its code to the first script through
  `EPSS.definePanel`, and takes the helpers it uses from there: the names its files declare
  in their `/* global … */` lines, which the first script collects in `CORE`.

The browser extension carries both, joined (`Bundle.complete`).

The style sheets become the strings of a constant `STYLES` in their script, by file name
(`STYLES.panel`), which is adopted into the Shadow DOM as constructable style sheets (so a
strict CSP allows them) when needed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rjsmin
import zopfli.gzip

from epss.resources import shipped

VERSION_PLACEHOLDER = "__EPSS_VERSION__"
# V8's explicit compile hint (Chromium 136 and later): compile every function of the script
# while it streams in, on a background thread, instead of each on its first call, on the
# host page's main thread (about 1 ms of a first visit's start-up). Only as the first line.
COMPILE_HINT = "//# allFunctionsCalledOnLoad\n"


PANEL_SECTION = "[panel]"


@dataclass(frozen=True)
class Script:
    code: bytes
    gzipped: bytes


@dataclass(frozen=True)
class Bundle:
    first: Script  # /overlay.js
    panel: Script  # /overlay-panel.js
    version: str  # a hash of the sources: the `v` of the versioned URLs

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @property
    def complete(self) -> bytes:
        """Both scripts in one, for the browser extension (which runs no code from elsewhere)."""
        return self.first.code + self.panel.code.split(b"\n", 1)[1]


def source_dir() -> Path:
    return shipped("overlay_js") / "src"


def source_files(folder: Path) -> list[Path]:
    """Every file of the overlay, in the order of order.txt (one name a line, # comments)."""
    first, panel = _sections(folder)
    return first + panel


def _sections(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files of the first download and those of the panel's script."""
    sections: tuple[list[Path], list[Path]] = ([], [])
    current = sections[0]
    for line in (folder / "order.txt").read_text(encoding="utf-8").splitlines():
        name = line.split("#")[0].strip()
        if name == PANEL_SECTION:
            current = sections[1]
        elif name:
            current.append(folder / name)
    return sections


def _declared(source: str, directive: str) -> list[str]:
    """The names of a file's `/* global … */` or `/* exported … */` comments."""
    found = re.findall(rf"/\*\s*{directive}\s([^*]*)\*/", source)
    return [name.split(":")[0] for names in found for name in re.split(r"[\s,]+", names) if name]


def minify_css(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*([{};,>])\s*", r"\1", text).replace(";}", "}").strip()


def build_bundle(folder: Path | None = None) -> Bundle:
    first, panel = _sections(folder or source_dir())
    sources = {f: f.read_text(encoding="utf-8") for f in first + panel}
    offered = [n for f in first if f.suffix == ".js" for n in _declared(sources[f], "exported")]
    given = [n for f in panel if f.suffix == ".js" for n in _declared(sources[f], "exported")]
    taken = sorted(
        {n for f in panel if f.suffix == ".js" for n in _declared(sources[f], "global")}
        - set(given)
    )
    missing = [n for n in taken if n not in offered]
    if missing:
        raise ValueError(f"the panel's files take {missing}, which no file before it offers")
    first_body = "\n".join(
        [
            _styles(first, sources),
            *_scripts(first, sources),
            f"const CORE = {{ {', '.join(taken)} }};",
        ]
    )
    panel_body = "\n".join(
        [
            f"const {{ {', '.join(taken)} }} = CORE;",
            _styles(panel, sources),
            *_scripts(panel, sources),
            f"return {{ STYLES, {', '.join(given)} }};",
        ]
    )
    version = hashlib.sha256((first_body + panel_body).encode()).hexdigest()[:12]
    first_code = "(() => {\n'use strict';\n" + first_body + "\n})();\n"
    panel_code = "EPSS.definePanel((CORE) => {\n'use strict';\n" + panel_body + "\n});\n"
    return Bundle(_script(first_code, version), _script(panel_code, version), version)


def _styles(files: list[Path], sources: dict[Path, str]) -> str:
    css = {f.stem: minify_css(sources[f]) for f in files if f.suffix == ".css"}
    return f"const STYLES = {json.dumps(css)};"


def _scripts(files: list[Path], sources: dict[Path, str]) -> list[str]:
    return [sources[f] for f in files if f.suffix == ".js"]


def _script(code: str, version: str) -> Script:
    text = (COMPILE_HINT + rjsmin.jsmin(code).replace(VERSION_PLACEHOLDER, version)).encode()
    return Script(text, zopfli.gzip.compress(text))


@cache
def shipped_bundle() -> Bundle:
    """The bundle of the shipped sources, built once per process."""
    return build_bundle()
