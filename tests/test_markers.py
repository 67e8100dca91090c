"""The fast loop (`make test-fast`) leaves out the modules that start real processes: each
one must be listed in `conftest.PROCESS_MODULES`."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROCESS_MODULES
from tests.source_support import parse

TESTS = Path(__file__).parent
# What the support modules offer to start `epss serve`, the LRS or the OpenID provider.
STARTERS = {"running", "Server", "Served", "start", "Deployment", "running_provider", "running_lrs"}


def _starts_processes(tree: ast.Module) -> bool:
    return any(
        (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").endswith("_support")
            and bool(STARTERS & {alias.name for alias in node.names})
        )
        or (isinstance(node, ast.Attribute) and node.attr == "Popen")
        for node in ast.walk(tree)
    )


def test_every_module_that_starts_processes_is_left_out_of_the_fast_loop() -> None:
    unmarked = []
    for path in sorted(TESTS.glob("test_*.py")):
        if path.stem in PROCESS_MODULES:
            continue
        if _starts_processes(parse(path.read_text(encoding="utf-8"))):
            unmarked.append(path.stem)
    assert unmarked == []


def test_the_rule_sees_a_server_started_through_a_support_module() -> None:
    tree = parse("from tests.drafts_support import DRAFT, running\n")
    assert _starts_processes(tree)
    assert not _starts_processes(parse("from tests.drafts_support import DRAFT, draft\n"))
    assert _starts_processes(parse("import subprocess\nsubprocess.Popen(['epss'])\n"))
