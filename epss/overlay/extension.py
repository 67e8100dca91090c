"""The browser extension (Manifest V3) as people install it: the sources of
overlay_js/extension plus the overlay bundle as overlay.js. Manifest V3 runs no code from
elsewhere, so the bundle travels inside the extension; a new bundle means a new build."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from epss import __version__
from epss.errors import InvalidInput
from epss.overlay.bundle import Bundle, shipped_bundle
from epss.resources import shipped

BUNDLE_NAME = "overlay.js"


def source_dir() -> Path:
    return shipped("overlay_js") / "extension"


def manifest_version(version: str) -> str:
    """'0.2.0rc1' -> '0.2.0': browsers accept one to four dot-separated integers only."""
    match = re.match(r"\d+(\.\d+){0,3}", version)
    return match.group(0) if match else "0"


def write_extension(target: Path, bundle: Bundle | None = None) -> Path:
    """Write the extension into `target` (new, empty, or an earlier build) and return the
    path of its manifest."""
    bundle = bundle or shipped_bundle()
    if target.exists() and not target.is_dir():
        raise InvalidInput(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / "manifest.json").is_file():
        raise InvalidInput(
            f"{target} is not empty and holds no extension: choose a new or empty folder"
        )
    shutil.copytree(
        source_dir(), target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(BUNDLE_NAME, ".*")
    )
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["version"] = manifest_version(__version__)
    manifest["version_name"] = f"{__version__} (overlay {bundle.version})"
    manifest_path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (target / BUNDLE_NAME).write_bytes(bundle.complete)
    return manifest_path
