"""Reading our own Python source in tests that check a rule of the codebase."""

from __future__ import annotations

import ast


def parse(source: str) -> ast.Module:
    """`ast.parse`, tried once more when CPython 3.11 trips over its own shared state.

    Its AST validator keeps one recursion depth for the whole interpreter. When another
    thread of the same pytest worker formats a traceback meanwhile (the browser tests'
    server logging a dropped request, say), that formatting parses source too, and the
    parse here can fail with "AST constructor recursion depth mismatch"
    (python/cpython#106905). The source is fine; parsing it again succeeds.
    """
    try:
        return ast.parse(source)
    except SystemError as error:
        if "recursion depth mismatch" not in str(error):
            raise
        return ast.parse(source)
