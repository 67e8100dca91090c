"""The README documents every setting, and the commands it promises exist."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from epss.cli import app
from epss.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`EPSS_{name.upper()}`" in README, f"EPSS_{name.upper()} is not in the README"


def test_every_documented_command_exists() -> None:
    runner = CliRunner()
    for command in (
        ["demo"],
        ["serve"],
        ["db", "upgrade"],
        ["import"],
        ["export"],
        ["reindex"],
        ["schema"],
    ):
        assert runner.invoke(app, [*command, "--help"]).exit_code == 0, command
        assert f"epss {' '.join(command)}" in README


def test_every_page_in_docs_is_linked_and_every_link_resolves() -> None:
    root = Path(__file__).parents[1]
    pages = [root / "README.md", root / "CONTRIBUTING.md", *sorted((root / "docs").glob("*.md"))]
    linked = set()
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            path = (page.parent / target).resolve()
            assert path.exists(), f"{page.name} links to {target}, which does not exist"
            linked.add(path)
    for page in (root / "docs").glob("*.md"):
        assert page.resolve() in linked, f"nothing links to docs/{page.name}"
