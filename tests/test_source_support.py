"""The tests that read our source survive CPython 3.11's shared-state parse failure."""

from __future__ import annotations

import ast

import pytest

from tests import source_support
from tests.source_support import parse


def _failing(times: int, message: str):
    real = ast.parse
    left = [times]

    def parse_once_failing(source: str) -> ast.Module:
        if left[0]:
            left[0] -= 1
            raise SystemError(message)
        return real(source)

    return parse_once_failing


def test_a_parse_tripped_by_another_thread_is_tried_again(monkeypatch) -> None:
    monkeypatch.setattr(
        source_support.ast, "parse", _failing(1, "AST constructor recursion depth mismatch")
    )
    assert isinstance(parse("x = 1\n").body[0], ast.Assign)


def test_any_other_failure_is_not_hidden(monkeypatch) -> None:
    monkeypatch.setattr(source_support.ast, "parse", _failing(1, "something else"))
    with pytest.raises(SystemError, match="something else"):
        parse("x = 1\n")
    with pytest.raises(SyntaxError):
        parse("x = \n")
