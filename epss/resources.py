"""Where the shipped folders (migrations, task files, content, the overlay's
sources) are.

Installed from a wheel they travel inside the package (epss/_bundled); in a source
checkout they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """The shipped folder `name`: 'alembic', 'tasks', 'content' or 'overlay_js'."""
    bundled = _PACKAGE / "_bundled" / name
    return bundled if bundled.is_dir() else _PACKAGE.parent / name
