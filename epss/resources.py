"""Where the shipped folders (migrations, task files, content, the overlay's
sources) are.

Installed from a wheel they travel inside the package (epss/_bundled); in a source
checkout they are the top-level folders of the repository.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, TypeVar

import yaml

_PACKAGE = Path(__file__).resolve().parent
_Loaded = TypeVar("_Loaded")


def shipped(name: str) -> Path:
    """The shipped folder `name`: 'alembic', 'tasks', 'content' or 'overlay_js'."""
    bundled = _PACKAGE / "_bundled" / name
    return bundled if bundled.is_dir() else _PACKAGE.parent / name


def read_yaml(path: Path) -> Any:
    """A YAML file's data, read with libyaml where PyYAML has it (about ten times faster
    than the pure-Python reader: every service reads the glossary and the synonyms)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def once_per_file_version(load: Callable[[Path], _Loaded]) -> Callable[[Path], _Loaded]:
    """`load(path)`, kept for as long as the file keeps its size and modification time:
    every service a process builds reads the same content files (the tests build
    thousands; reading them took 24 ms of each). What `load` returns is shared: it must
    not change."""

    @lru_cache(maxsize=16)
    def loaded(path: Path, _version: tuple[int, int] | None) -> _Loaded:
        return load(path)

    @wraps(load)
    def load_once(path: Path) -> _Loaded:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return loaded(path, None)
        return loaded(path, (stat.st_mtime_ns, stat.st_size))

    return load_once
