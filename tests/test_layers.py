"""The layer rule of CONTRIBUTING.md, held: the domain never imports the web layer, and no
module reaches for another package's private names."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "epss"
WEB = (
    "epss.app",
    "epss.cli",
    "epss.api",
    "epss.pages",
    "epss.overlay",
    "epss.demo",
    "epss.web",
    "epss.operations",
)


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    """(module, names) of every absolute import, also those inside functions."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
    return found


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_the_domain_never_imports_the_web_layer() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, tree in _modules().items()
        if not name.startswith(WEB)
        for module, names in _imports(tree)
        for target in [module, *(f"{module}.{n}" for n in names)]
        if target.startswith(WEB)
    ]
    assert wrong == []


def test_no_module_uses_a_private_name_of_another_package() -> None:
    wrong = [
        f"{name} imports {module}.{n}"
        for name, tree in _modules().items()
        for module, names in _imports(tree)
        if module.startswith("epss")
        for n in names
        if n.startswith("_") and not n.startswith("__") and _package(module) != _package(name)
    ]
    assert wrong == []


def test_the_rule_would_catch_a_breach() -> None:
    """The scan sees an import inside a function, as a lazy import hides it."""
    tree = ast.parse("def f():\n    from epss.pages.editor import _secret\n")
    assert _imports(tree) == [("epss.pages.editor", ["_secret"])]
