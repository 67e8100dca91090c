"""Fuzzing the parsers (#20): the task-file loader, the Markdown renderer and the event
intake answer any input with a clear error or a valid result, never a crash.

Bounded and reproducible: Hypothesis runs derandomized with a fixed number of examples
(300, or 60 in the fast loop: the profiles in conftest.py), so the file takes well under a
minute; every crash found is kept as an explicit example.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from epss.drafts.importing import load_uploads
from epss.i18n import translator
from epss.render import markdown_to_html, markdown_to_text, markdown_to_tree
from epss.settings import Settings
from epss.taskfile import TaskDocument, TaskFileError, check_data, load_text
from epss.taskfile.problems import Problem
from tests.test_events import EVENTS, event, register, started
from tests.xss_support import rich_html_problems, tree_problems

ENGLISH = translator("en")
TASKS = Path(__file__).parents[1] / "tasks"
SHIPPED = (TASKS / "verhuizing-doorgeven.yaml").read_text(encoding="utf-8")
SHIPPED_DATA = yaml.safe_load(SHIPPED)

BOUNDED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FEW = settings(BOUNDED, max_examples=BOUNDED.max_examples // 3)

# -- building blocks ---------------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        "a\udfffb",
        "\ufeff",
        "\u2028",
        "\x85",
        "\x1b[31m",
        "é" * 3,
        "x" * 20_000,
        "²",
        "٣",
        "9" * 5000,
        "-1",
        "0",
        "2027-13-45",
        "0001-01-01",
        "9999-12-31",
        "null",
        "~",
        "yes",
        "no",
        "on",
        "1e309",
        ".nan",
        "-.inf",
        "0x1F",
        "!!int tien",
        "!!binary ===",
        "!!timestamp gisteren",
        "!!python/object:os.system x",
        "&a x",
        "*a",
        "<<: *a",
        "{",
        "[",
        "]",
        "}",
        ": ",
        "- ",
        "? ",
        "|",
        ">",
        "#",
        "'",
        '"',
        "%YAML 1.1",
        "---",
        "...",
        "<script>alert(1)</script>",
        "javascript:alert(1)",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**18)
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | ODD_TEXT
    | st.dates(min_value=dt.date(1, 1, 1))
)
STRUCTURES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(max_size=12) | st.sampled_from(sorted(SHIPPED_DATA)), inner, max_size=5
        )
    ),
    max_leaves=25,
)


def assert_clear(problems: list[Problem], name: str, *, whole_file: bool = False) -> None:
    """Each problem names the file and a place (a line or a field; with `whole_file`, a
    file that cannot be read at all need not), and says something in Dutch and in
    English."""
    assert problems
    for found in problems:
        assert found.file == name
        assert whole_file or found.line is not None or found.field, found
        assert str(found).strip() and found.in_language(ENGLISH).strip()
        assert found.as_in_file(ENGLISH).startswith(name)


def loads_or_explains(text: str, name: str = "taak.yaml") -> TaskDocument | None:
    """A document, or the loader's own error with clear problems; anything else fails."""
    started_at = time.monotonic()
    try:
        return load_text(text, name)
    except TaskFileError as exc:
        assert_clear(exc.problems, name)
        return None
    finally:
        assert time.monotonic() - started_at < 10


def dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# -- the task-file loader ----------------------------------------------------------------

BILLION_LAUGHS = (
    "\n".join(
        ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        + [
            f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]"
            for n in range(8)
        ]
    )
    + "\n"
)


@BOUNDED
@given(st.text(max_size=400))
@example("slug: a\x00b\n")  # ReaderError: NUL (was a 500 on upload)
@example("slug: a\ud800b\n")  # ReaderError: a lone surrogate
@example("a: &x [*x]\n")  # RecursionError: an alias of itself
@example("? [a, b]\n: c\n")  # TypeError: a list as a field name
@example("review_by: 2027-13-45\n")  # ValueError: month must be in 1..12
@example("review_interval_months: !!int tien\n")  # ValueError
@example("review_by: !!timestamp gisteren\n")  # AttributeError
@example("review_interval_months: " + "9" * 5000 + "\n")  # ValueError: int digits limit
@example("[" * 10_000 + "]" * 10_000)  # RecursionError
@example("".join(" " * n + "a:\n" for n in range(3000)))  # RecursionError
@example(BILLION_LAUGHS)
def test_any_text_loads_or_is_explained(text: str) -> None:
    loads_or_explains(text)


@BOUNDED
@given(STRUCTURES)
def test_any_yaml_structure_loads_or_is_explained(data: object) -> None:
    loads_or_explains(dump(data))
    document, found = check_data(data)  # the road of a draft's data, without YAML
    assert document is not None or found


MUTATIONS = ("delete", "replace", "wrap", "duplicate_key", "add_key")


@st.composite
def mutated_shipped(draw: st.DrawFn) -> str:
    """A shipped task file with a few of its keys and values deleted, replaced, wrapped in
    a list, written twice or joined by an unknown key."""
    data = json.loads(json.dumps(SHIPPED_DATA, default=str))
    duplicated: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        node, key = data, None
        for _depth in range(draw(st.integers(0, 4))):
            keys = (
                list(node)
                if isinstance(node, dict)
                else list(range(len(node)))
                if isinstance(node, list)
                else []
            )
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            if not isinstance(node[key], dict | list):
                break
            node = node[key]
        keys = (
            list(node)
            if isinstance(node, dict)
            else list(range(len(node)))
            if isinstance(node, list)
            else []
        )
        if not keys:
            continue
        key = draw(st.sampled_from(keys))
        kind = draw(st.sampled_from(MUTATIONS))
        if kind == "delete":
            del node[key]
        elif kind == "replace":
            node[key] = draw(STRUCTURES)
        elif kind == "wrap":
            node[key] = [node[key]]
        elif kind == "add_key" and isinstance(node, dict):
            node[draw(st.text(min_size=1, max_size=10))] = draw(SCALARS)
        elif kind == "duplicate_key" and isinstance(key, str):
            duplicated.append(key)
    text = dump(data)
    for key in duplicated:  # a top-level or nested key line, written a second time
        lines = text.splitlines(keepends=True)
        at = next((n for n, line in enumerate(lines) if line.lstrip().startswith(f"{key}:")), None)
        if at is not None:
            text = "".join([*lines[: at + 1], lines[at], *lines[at + 1 :]])
    if draw(st.booleans()):  # a character put somewhere in the text
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(ODD_TEXT | st.characters()) + text[at:]
    return text


@BOUNDED
@given(mutated_shipped())
def test_a_mutated_shipped_file_loads_or_is_explained(text: str) -> None:
    loads_or_explains(text, "verhuizing-doorgeven.yaml")


@FEW
@given(
    st.binary(max_size=300) | mutated_shipped().map(lambda t: t.encode("utf-8", "surrogatepass"))
)
@example(b"slug: \xff\xfe\n")
@example(b"\xef\xbb\xbf" + SHIPPED.encode())
@example(SHIPPED.encode("utf-16"))
@example(SHIPPED.encode().replace(b"slug:", b"slug:\x00", 1))
def test_an_upload_of_any_bytes_loads_or_is_explained(data: bytes) -> None:
    try:
        load_uploads([("taak.yaml", data)], known=set())
    except TaskFileError as exc:
        assert_clear(exc.problems, "taak.yaml", whole_file=True)


def problems_of(text: str) -> list[str]:
    with pytest.raises(TaskFileError) as caught:
        load_text(text, "taak.yaml")
    return [p.as_in_file(ENGLISH) for p in caught.value.problems]


def test_an_alias_bomb_is_refused_quickly_and_not_expanded() -> None:
    started_at = time.monotonic()
    assert problems_of(BILLION_LAUGHS) == [
        "taak.yaml, line 1: anchors and aliases (& and *) do not belong in a task file; "
        "write the value out in full"
    ]
    assert time.monotonic() - started_at < 1
    valid = SHIPPED.replace("\nsteps:", "\nsteps: &stappen", 1)
    assert any("anchors and aliases" in p for p in problems_of(valid))


def test_refused_yaml_says_what_and_where() -> None:
    assert problems_of(SHIPPED + "\nx: ja\x00nee\n")[0].endswith(
        "contains a character that is not allowed in a task file (U+0000); remove it"
    )
    assert problems_of("slug: a\nreview_by: 2027-13-45\n") == [
        "taak.yaml, line 2, review_by: this value cannot be read: '2027-13-45'"
    ]
    assert problems_of("slug: a\n? [a, b]\n: c\n") == [
        "taak.yaml, line 2: a field name must be a word, not a list or a group"
    ]
    assert problems_of("a:" + " [" * 40 + " ]" * 40 + "\n")[0].endswith(
        "the fields are nested too deeply (more than 32 levels)"
    )
    assert problems_of(SHIPPED.replace("\ntitle:", "\ntitle: Eerste\ntitle:", 1)) == [
        "taak.yaml, line 4, title: this field appears twice; keep one"
    ]


def test_an_upload_that_is_not_utf8_is_refused_before_reading() -> None:
    with pytest.raises(TaskFileError) as caught:
        load_uploads([("taak.yaml", SHIPPED.encode("latin-1", "replace") + b"\xe9")], known=set())
    [found] = caught.value.problems
    assert found.file == "taak.yaml" and found.line is not None
    assert "is not UTF-8 text" in found.in_language(ENGLISH)


# -- the Markdown renderer ---------------------------------------------------------------

MARKDOWN_PIECES = st.sampled_from(
    [
        "*",
        "**",
        "_",
        "`",
        "```",
        "~~~",
        ">",
        "> ",
        "- ",
        "* ",
        "1. ",
        "#",
        "### ",
        "\n",
        "\n\n",
        "    ",
        "\t",
        "[",
        "]",
        "(",
        ")",
        "![",
        "<",
        ">",
        "&",
        "&#",
        "&#x6a;",
        ";",
        "|",
        "---",
        "\\",
        "\x00",
        "javascript:",
        "jAvAsCrIpT&colon;",
        "data:text/html,",
        "vbscript:",
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:x'>",
        "onmouseover=",
        '"',
        "'",
        "<!--",
        "-->",
        "<![CDATA[",
        "<svg/onload=alert(1)>",
        "[x](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[a]: javascript:x\n",
        "[a]",
        "\u202e",
        "\ufeff",
        "\ud800",
    ]
)
MARKDOWN = st.text(max_size=300) | st.lists(MARKDOWN_PIECES | st.text(max_size=5), max_size=60).map(
    "".join
)


def assert_rendered_safely(text: str) -> None:
    started_at = time.monotonic()
    html = markdown_to_html(text)
    assert isinstance(html, str) and rich_html_problems(html) == []
    assert tree_problems(markdown_to_tree(text)) == []
    assert isinstance(markdown_to_text(text), str)
    assert time.monotonic() - started_at < 10


@BOUNDED
@given(MARKDOWN)
@example(">" * 10_000 + " x")
@example("*" * 10_000 + "x")
@example("* " * 10_000 + "x")
@example("".join("  " * n + "- a\n" for n in range(1000)))
@example("[" * 10_000 + "](javascript:alert(1))")
@example("a\x00b <script>alert(1)</script> [x](jav\x00ascript:alert(1))")
@example("\ud800")  # UnicodeEncodeError in the sanitiser (a lone surrogate, as JSON allows)
def test_any_markdown_renders_to_safe_html_in_bounded_time(text: str) -> None:
    assert_rendered_safely(text)


# -- the event intake --------------------------------------------------------------------

ANSWERS = {202, 400, 413, 415, 422}
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | ODD_TEXT,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
EVENT_FIELDS = sorted(event())
ODD_VALUES = (
    st.sampled_from(
        [
            None,
            "",
            "\x00",
            "a\x00b",
            10**30,
            -(10**30),
            2**63,
            2**63 - 1,
            0,
            -1,
            1.5,
            "²",
            "9" * 5000,
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2026-02-30T10:00:00Z",
            "2026-11-23T10:41:07",
            "x" * 3000,
            [],
            {},
            {"kind": "wrong"},
            {"query": "a" * 500},
            {"results": 10**30},
            {"results": -1},
            {"source": "elders"},
            "00000000-0000-0000-0000-000000000000",
            "https://zaken.gemeente.example/" + "a" * 2000,
            "javascript:alert(1)",
            "\ud800",
        ]
    )
    | JSON_VALUES
)


@st.composite
def mutated_batch(draw: st.DrawFn) -> tuple[object, bool]:
    """A valid batch of one to three events with some fields deleted or replaced (none in
    one of four), or now and then any JSON value; and whether it is the valid batch."""
    events = [event() for _ in range(draw(st.integers(1, 3)))]
    changes = draw(st.integers(0, 3))
    for _ in range(changes):
        target = draw(st.sampled_from(events))
        field = draw(st.sampled_from([*EVENT_FIELDS, "extra"]))
        if draw(st.booleans()) and field in target:
            del target[field]
        else:
            target[field] = draw(ODD_VALUES)
    if draw(st.integers(0, 9)):
        return {"events": events}, changes == 0
    return draw(JSON_VALUES), False


@pytest.fixture
def intake(sqlite_settings: Settings) -> Iterator[TestClient]:
    """The app with one registered host app, on SQLite: the parsing comes before the
    database, and one database keeps the fuzzing quick. A server error is an answer here
    (500), not an exception, so that it is seen with the input that caused it."""
    register(sqlite_settings)
    with started(sqlite_settings) as client:
        yield TestClient(client.app, raise_server_exceptions=False)


def stored_events(client: TestClient) -> int:
    with client.app.state.services.engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM event")).scalar_one()


def assert_answered(client: TestClient, body: bytes, content_type: str = "application/json") -> int:
    """Post `body`; the answer is one of ANSWERS, a refusal stores nothing and says why,
    an acceptance stores what it counts. Returns the status."""
    before = stored_events(client)
    answer = client.post(EVENTS, content=body, headers={"content-type": content_type})
    assert answer.status_code in ANSWERS, (answer.status_code, answer.text[:500])
    after = stored_events(client)
    if answer.status_code == 202:
        assert after - before == answer.json()["accepted"]
    else:
        assert after == before, answer.text[:300]
        shape = answer.json()
        assert shape["error"] and shape["detail"]
    return answer.status_code


def encoded(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@BOUNDED
@given(mutated_batch())
@example(({"events": [event(task_version=10**30)]}, False))
@example(({"events": [event(occurred_at="0001-01-01T00:00:00+14:00")]}, False))
@example(({"events": [event(user="a\x00b", team="\x00", url="/zaak/\x00")]}, False))
@example(({"events": [event(type="search", details={"results": 2**63})]}, False))
@example(({"events": [event(task_version=2**31)]}, False))
def test_any_json_batch_is_stored_or_refused_whole(
    intake: TestClient, batch_and_valid: tuple[object, bool]
) -> None:
    batch, valid = batch_and_valid
    status = assert_answered(intake, encoded(batch))
    assert status == 202 or not valid  # the checks do not refuse what is valid


@FEW
@given(
    st.binary(max_size=200)
    | mutated_batch()
    .map(lambda pair: encoded(pair[0]))
    .flatmap(
        lambda body: st.integers(0, len(body)).map(lambda cut: body[:cut] + b"\xff" + body[cut:])
    ),
    st.sampled_from(
        ["application/json", "text/plain;charset=UTF-8", "", "application/json; charset=latin-1"]
    ),
)
@example(b"[" * 100_000, "application/json")
@example(b'{"events": ' + b"[" * 100_000, "text/plain")
@example(b'{"events": [' + b'{"a":' * 50_000 + b"}" * 50_000 + b"]}", "application/json")
@example(b'{"events": []}\xff', "application/json")
@example(b'\xef\xbb\xbf{"events": []}', "application/json")
@example('{"events": []}'.encode("utf-16"), "application/json")
@example(b'{"events": [], "events": [1]}', "application/json")
@example(
    json.dumps(
        {
            "events": [
                event(
                    team="\ud800",
                    user="\udfff",
                    url="/\ud800",
                    type="search",
                    details={"query": "\ud800"},
                )
            ]
        }
    ).encode(),
    "application/json",
)  # lone surrogates as JSON escapes
def test_any_bytes_are_answered_without_a_server_error(
    intake: TestClient, body: bytes, content_type: str
) -> None:
    assert_answered(intake, body, content_type)


@pytest.fixture
def intake_on_both(settings: Settings) -> Iterator[TestClient]:
    """As `intake`, on SQLite and PostgreSQL (which cannot store a NUL character)."""
    register(settings)
    with started(settings) as client:
        yield TestClient(client.app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"task_version": 10**30}, "events[0].task_version"),
        ({"task_version": 2**31}, "events[0].task_version"),
        ({"occurred_at": "0001-01-01T00:00:00+14:00"}, "events[0].occurred_at"),
        ({"occurred_at": "1999-12-31T23:59:59Z"}, "events[0].occurred_at"),
        ({"team": "Balie\x00"}, "events[0].team"),
        ({"url": "/zaak/\x00"}, "events[0].url"),
        ({"user": "a\x00b"}, "events[0].user"),
        ({"type": "search", "details": {"query": "\x00", "results": 1}}, "events[0].details.query"),
        ({"type": "search", "details": {"results": 2**63}}, "events[0].details.results"),
    ],
)
def test_found_by_fuzzing_values_the_database_cannot_hold_are_named_and_stored_nowhere(
    intake_on_both: TestClient, changes: dict, field: str
) -> None:
    before = stored_events(intake_on_both)
    answer = intake_on_both.post(EVENTS, json={"events": [event(**changes), event()]})
    assert answer.status_code == 422, answer.text
    assert [p["field"] for p in answer.json()["problems"]] == [field]
    assert stored_events(intake_on_both) == before
    assert intake_on_both.post(EVENTS, json={"events": [event()]}).status_code == 202
