"""Where the shipped folders (migrations, task files, content, the overlay's
sources) are.

Installed from a wheel they travel inside the package (epss/_bundled); in a source
checkout they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """The shipped folder `name`: 'alembic', 'tasks', 'content' or 'overlay_js'."""
    bundled = _PACKAGE / "_bundled" / name
    return bundled if bundled.is_dir() else _PACKAGE.parent / name


def read_yaml(path: Path) -> Any:
    """A YAML file's data, read with libyaml where PyYAML has it (about ten times faster
    than the pure-Python reader: every service reads the glossary and the synonyms)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
