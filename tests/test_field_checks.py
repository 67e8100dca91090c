"""The checks on what is typed at a step's field (overlay_js/src/checks.js), run in node as
the desk's browser runs them, and the task file's rules for writing them."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess

import pytest
from pydantic import ValidationError

from epss.overlay.bundle import source_dir
from epss.resources import shipped
from epss.taskfile import load_paths
from epss.taskfile.field_checks import FieldCheck
from epss.taskfile.model import Step

TODAY = "2026-12-05T10:00:00"  # a Saturday, Dutch time


def run_checks(cases: list[tuple[dict, str]], now: str = TODAY) -> list[dict | None]:
    """fieldProblem(check, value, now) for each case, in node with the desk's time zone."""
    node = shutil.which("node")
    assert node, "node is needed (it runs the OpenID provider of the tests too)"
    script = (
        "const fs = require('fs');"
        "const code = fs.readFileSync(process.argv[1], 'utf8');"
        "const { fieldProblem, elevenTest } = new Function(code + "
        "'; return { fieldProblem, elevenTest };')();"
        "const [cases, now] = JSON.parse(fs.readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(cases.map(([check, value]) => "
        "fieldProblem(check, value, new Date(now)))));"
    )
    run = subprocess.run(
        [node, "-e", script, str(source_dir() / "checks.js")],
        capture_output=True,
        text=True,
        check=True,
        input=json.dumps([cases, now]),
        env={**os.environ, "TZ": "Europe/Amsterdam"},
    )
    return json.loads(run.stdout)


def passes(check: dict, *values: str, now: str = TODAY) -> list[bool]:
    return [found is None for found in run_checks([(check, v) for v in values], now)]


def eleven_test(digits: str) -> bool:
    """The eleven-test, written out: weights 9 down to 2, and −1 for the last digit."""
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return (
        digits != "0" * 9
        and sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11 == 0
    )


def test_the_bsn_check_is_the_eleven_test() -> None:
    bsn = {"kind": "bsn"}
    assert passes(bsn, "111222333", "123456782", "111 222 333", "111.222.333") == [True] * 4
    assert (
        passes(bsn, "123456789", "12345678", "1234567890", "000000000", "11122233a") == [False] * 5
    )
    numbers = [f"{random.Random(7).randrange(10**9):09d}"] + [
        f"{n:09d}" for n in random.Random(11).sample(range(10**9), 400)
    ]
    assert passes(bsn, *numbers) == [eleven_test(n) for n in numbers]
    assert any(eleven_test(n) for n in numbers) and not all(eleven_test(n) for n in numbers)
    [said] = run_checks([(bsn, "123456789")])
    assert said == {
        "text": "Dit is geen geldig BSN: het heeft 9 cijfers en moet de elfproef doorstaan.",
        "params": {},
    }


def test_a_date_window_counts_whole_days_from_today_in_dutch_time() -> None:
    birth = {"kind": "date", "from_days": -3, "to_days": 0}
    assert (
        passes(birth, "02-12-2026", "5-12-2026", "05/12/2026", "2026-12-04", "5.12.2026")
        == [True] * 5
    )
    assert passes(birth, "01-12-2026", "06-12-2026") == [False, False]
    late, unreadable, no_day = run_checks(
        [(birth, "01-12-2026"), (birth, "gisteren"), (birth, "31-02-2026")]
    )
    assert late == {
        "text": "Verwacht is een datum van {from} tot en met {to}.",
        "params": {"from": "02-12-2026", "to": "05-12-2026"},
    }
    assert unreadable == no_day == {"text": "Dit is geen datum; schrijf dd-mm-jjjj."}
    # Half past eleven at night on the day the clocks go forward is still that day.
    assert passes(birth, "26-03-2026", "25-03-2026", now="2026-03-29T23:30:00") == [True, False]
    # One side of the window only.
    assert passes({"kind": "date", "to_days": 0}, "01-01-1950", "06-12-2026") == [True, False]
    [future] = run_checks([({"kind": "date", "from_days": 1}, "05-12-2026")])
    assert future == {
        "text": "Verwacht is een datum vanaf {from}.",
        "params": {"from": "06-12-2026"},
    }


def test_required_minds_an_empty_field_and_the_others_wait_for_something_typed() -> None:
    assert passes({"kind": "required"}, "", "   ", "x") == [False, False, True]
    for kind in ({"kind": "bsn"}, {"kind": "date"}, {"kind": "pattern", "pattern": "[0-9]+"}):
        assert passes(kind, "", "  ") == [True, True]


def test_a_pattern_holds_for_the_whole_value_and_an_own_message_is_said_as_written() -> None:
    postcode = {"kind": "pattern", "pattern": "[0-9]{4} ?[A-Z]{2}"}
    assert passes(postcode, "1234 AB", "1234AB", "1234 ab", "x1234 AB", "1234 ABC") == [
        True,
        True,
        False,
        False,
        False,
    ]
    [own] = run_checks([({**postcode, "message": "Een postcode, zoals 1234 AB."}, "12")])
    assert own == {"text": "Een postcode, zoals 1234 AB.", "own": True}


def test_every_pattern_the_format_lets_through_reads_the_same_in_the_browser() -> None:
    samples = ["1234 AB", "AB-12-CD", "abc", "NL12ABCD0123456789", "", "a(b"]
    patterns = ["[0-9]{4} ?[A-Z]{2}", "[A-Z]{2}-[0-9]{2}-[A-Z]{2}", "(?:ab|c)+", "NL[0-9]{2}\\w+"]
    patterns += ["[a-z]\\(b", "(?=a)abc", "(?!x)[a-z]{3}"]
    cases = [
        ({"kind": "pattern", "pattern": FieldCheck(kind="pattern", pattern=p).pattern}, s)
        for p in patterns
        for s in samples
        if s
    ]
    in_python = [re.fullmatch(c["pattern"], s.strip()) is not None for c, s in cases]
    assert [found is None for found in run_checks(cases)] == in_python


@pytest.mark.parametrize(
    ("check", "says"),
    [
        ({"kind": "pattern"}, "een patroon hoort bij een controle op een patroon"),
        ({"kind": "bsn", "pattern": "[0-9]+"}, "een patroon hoort bij"),
        ({"kind": "bsn", "to_days": 0}, "horen alleen bij een controle op een datum"),
        ({"kind": "date", "from_days": 1, "to_days": -1}, "'vanaf' ligt na 'tot en met'"),
        ({"kind": "pattern", "pattern": "[0-9"}, "geen geldige reguliere expressie"),
        ({"kind": "pattern", "pattern": "(?P<jaar>[0-9]{4})"}, "die de browser anders leest"),
        ({"kind": "pattern", "pattern": "(?i)ab"}, "die de browser anders leest"),
        ({"kind": "pattern", "pattern": "ab\\Z"}, "die de browser anders leest"),
        ({"kind": "date", "from_days": -4000}, "greater than or equal to -3660"),
        ({"kind": "elfproef"}, "kind"),
    ],
)
def test_a_check_that_cannot_work_is_refused_where_it_is_written(check: dict, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        FieldCheck.model_validate(check)
    assert says in str(refused.value)


def test_field_help_needs_a_field_and_each_kind_once() -> None:
    step = {"id": "a", "title": "Vul het BSN in", "instruction": "Typ het BSN."}
    with pytest.raises(ValidationError, match="hebben een veld nodig"):
        Step.model_validate({**step, "field_tip": "Negen cijfers"})
    with pytest.raises(ValidationError, match="maar één keer"):
        Step.model_validate(
            {**step, "target": ["#bsn"], "field_checks": [{"kind": "bsn"}, {"kind": "bsn"}]}
        )
    kept = Step.model_validate(
        {
            **step,
            "target": ["#bsn"],
            "field_checks": [{"kind": "bsn"}],
            "field_tip": "Negen cijfers",
        }
    )
    assert kept.model_dump(mode="json")["field_checks"] == [{"kind": "bsn"}]
    # A step without field help is written as before it existed (its content hash too).
    assert "field_checks" not in Step.model_validate(step).model_dump(mode="json")


def test_the_shipped_checks_are_valid_and_their_patterns_compile_in_the_browser() -> None:
    documents = [loaded.document for loaded in load_paths([shipped("tasks")])]
    checks = [c.model_dump(mode="json") for d in documents for s in d.steps for c in s.field_checks]
    assert {c["kind"] for c in checks} >= {"bsn", "date"}, "the demo shows the BSN and date checks"
    assert all(found is None or "text" in found for found in run_checks([(c, "x") for c in checks]))
