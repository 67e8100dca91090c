"""The overlay script: the files listed in overlay_js/src/order.txt joined into one
script (one closure, so the page gets no globals but `EPSS`), minified and gzipped once (with
Zopfli: a gzip stream every browser reads, about 4 % smaller than zlib's best).

The style sheets of that list become the strings of one constant, `STYLES`, by file name
(`STYLES.panel`), which the script adopts into its Shadow DOM as constructable style sheets
(so a strict CSP allows them) when it needs them.
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


@dataclass(frozen=True)
class Bundle:
    script: bytes
    gzipped: bytes
    version: str  # a hash of the sources: the `v` of the versioned URL

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def source_dir() -> Path:
    return shipped("overlay_js") / "src"


def source_files(folder: Path) -> list[Path]:
    """The files of the bundle, in their order (order.txt: one name a line, # comments)."""
    lines = (folder / "order.txt").read_text(encoding="utf-8").splitlines()
    return [folder / name for line in lines if (name := line.split("#")[0].strip())]


def minify_css(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*([{};,>])\s*", r"\1", text).replace(";}", "}").strip()


def build_bundle(folder: Path | None = None) -> Bundle:
    files = source_files(folder or source_dir())
    css = {f.stem: minify_css(f.read_text(encoding="utf-8")) for f in files if f.suffix == ".css"}
    scripts = [f.read_text(encoding="utf-8") for f in files if f.suffix == ".js"]
    body = "\n".join([f"const STYLES = {json.dumps(css)};", *scripts])
    version = hashlib.sha256(body.encode()).hexdigest()[:12]
    code = "(() => {\n'use strict';\n" + body + "\n})();\n"
    script = (COMPILE_HINT + rjsmin.jsmin(code).replace(VERSION_PLACEHOLDER, version)).encode()
    return Bundle(script, zopfli.gzip.compress(script), version)


@cache
def shipped_bundle() -> Bundle:
    """The bundle of the shipped sources, built once per process."""
    return build_bundle()
