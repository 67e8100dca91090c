"""The layer rule of CONTRIBUTING.md, held: the domain never imports the web layer, and no
module reaches for another package's private names."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.source_support import parse

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
        found[name] = parse(path.read_text(encoding="utf-8"))
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
    tree = parse("def f():\n    from epss.pages.editor import _secret\n")
    assert _imports(tree) == [("epss.pages.editor", ["_secret"])]


# Containers a module could keep state in between requests.
_MUTABLE_CALLS = {
    "dict",
    "list",
    "set",
    "defaultdict",
    "OrderedDict",
    "deque",
    "WeakKeyDictionary",
    "WeakValueDictionary",
    "WeakSet",
    "Counter",
}
_MUTATORS = {
    "append",
    "extend",
    "insert",
    "add",
    "update",
    "setdefault",
    "pop",
    "popitem",
    "clear",
    "remove",
    "discard",
}


def _is_container(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in _MUTABLE_CALLS
    return False


def _state(tree: ast.Module) -> list[str]:
    """What a module keeps between calls: a `global` statement, a module-level container
    under a lower-case name (UPPER_CASE ones are constants), or a constant changed inside a
    function."""
    found = []
    constants = set()
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Name) and _is_container(node.value):
                if target.id.isupper() or target.id.lstrip("_").isupper():
                    constants.add(target.id)
                elif target.id != "__all__":
                    found.append(f"module-level {target.id}")
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in functions:
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                found.append(f"global {', '.join(node.names)}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _MUTATORS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in constants
            ):
                found.append(f"{node.func.value.id}.{node.func.attr}() in {function.name}")
            elif isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                for target in (
                    node.targets if not isinstance(node, ast.AugAssign) else [node.target]
                ):
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in constants
                    ):
                        found.append(f"{target.value.id}[…] changed in {function.name}")
    return found


# Process-wide on purpose, each with its reason.
SHARED_BY_THE_PROCESS = {
    # A lock per index folder: two services in one process that write one folder must
    # take turns, like two processes do through the folder's lock file.
    "epss.search.store: module-level _thread_locks",
}


def test_no_module_keeps_process_wide_state() -> None:
    """State between requests lives in `Services` (one per app) or with its engine
    (`epss.db.kept_with`), so two apps in one process, as the tests build them, never
    share it."""
    found = {f"{name}: {what}" for name, tree in _modules().items() for what in _state(tree)}
    assert found - SHARED_BY_THE_PROCESS == set()
    assert found >= SHARED_BY_THE_PROCESS  # an exception no longer needed is removed


def test_the_state_rule_would_catch_a_registry() -> None:
    tree = parse(
        "SEEN = {}\n_cache = []\n"
        "def remember(key):\n    global _last\n    SEEN[key] = 1\n    SEEN.setdefault(key, 2)\n"
    )
    assert _state(tree) == [
        "module-level _cache",
        "global _last",
        "SEEN[…] changed in remember",
        "SEEN.setdefault() in remember",
    ]


def _ends_transactions(tree: ast.Module) -> list[str]:
    """The calls in `tree` that end a transaction by hand: `….commit()`, `….rollback()`."""
    return [
        f"{node.func.attr}() on line {node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    ]


def test_a_request_commits_once_and_never_renders_after_a_rollback() -> None:
    """A route's session commits once, when the route returns (epss.web.deps); a change
    that may be refused runs in `epss.db.attempt`, which undoes it and leaves the session
    usable to say why. No route commits or rolls back by hand."""
    routes = ("epss.pages", "epss.api")
    found = {
        f"{name}: {call}"
        for name, tree in _modules().items()
        if name.startswith(routes)
        for call in _ends_transactions(tree)
    }
    assert found == set()


def test_the_transaction_rule_would_catch_a_rollback() -> None:
    tree = parse("try:\n    change(session)\nexcept E:\n    session.rollback()\n")
    assert _ends_transactions(tree) == ["rollback() on line 4"]


# Routes that open a unit of work of their own, each with its reason.
OWN_UNIT_OF_WORK = {
    # async routes: the session's work runs in a worker thread, not on the event loop
    "epss.pages.account: logout",
    "epss.pages.account: end_session",  # (inside logout)
    "epss.pages.sso: _log_in",
}


def _own_units_of_work(tree: ast.Module) -> set[str]:
    return {
        function.name
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "unit_of_work"
    }


def test_routes_work_in_the_requests_unit_of_work() -> None:
    found = {
        f"{name}: {function}"
        for name, tree in _modules().items()
        if name.startswith(("epss.pages", "epss.api"))
        for function in _own_units_of_work(tree)
    }
    assert found == OWN_UNIT_OF_WORK
