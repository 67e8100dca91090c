"""The task file format: clear problems with file, line and field; canonical output."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from epss.catalog import content_hash
from epss.i18n import translator
from epss.taskfile import TaskFileError, dump_document, json_schema, load_paths, load_text

VALID = """\
slug: test-taak
title: Testtaak
domain: burgerzaken
goal: Een doel.
owner: Team Test
review_by: 2027-01-01
sources:
  - id: bron
    title: Een bron
steps:
  - id: eerste
    title: Doe het eerste
    instruction: Doe **dit**.
    sources: [bron]
  - id: tweede
    title: Doe het tweede
    instruction: En dan dat.
    sources: [bron]
"""

ENGLISH = translator("en")  # as the command line shows them


def problems_of(text: str) -> list[str]:
    with pytest.raises(TaskFileError) as caught:
        load_text(text, "taak.yaml")
    return [p.as_in_file(ENGLISH) for p in caught.value.problems]


def test_a_valid_file_loads() -> None:
    document = load_text(VALID, "taak.yaml")
    assert document.slug == "test-taak"
    assert [s.id for s in document.steps] == ["eerste", "tweede"]
    assert document.steps[0].mandatory is True


def test_a_missing_field_names_file_line_and_field() -> None:
    text = VALID.replace("    title: Doe het tweede\n", "")
    assert problems_of(text) == [
        "taak.yaml, line 15, steps → step 2 → title: this field is missing"
    ]


def test_a_misspelled_field_is_named_as_such() -> None:
    text = VALID.replace("    instruction: En dan dat.", "    instructie: En dan dat.")
    found = problems_of(text)
    assert (
        "taak.yaml, line 17, steps → step 2 → instructie: this field is not part of the "
        "task format (a typo?)" in found
    )
    assert any("step 2 → instruction: this field is missing" in p for p in found)


def test_wrong_values_are_explained_in_plain_words() -> None:
    text = VALID.replace("review_by: 2027-01-01", "review_by: volgend jaar").replace(
        "  - id: tweede\n", "  - id: tweede\n    mandatory: misschien\n"
    )
    found = problems_of(text)
    assert (
        "taak.yaml, line 6, review_by: expected a date written as YYYY-MM-DD "
        "(found 'volgend jaar')" in found
    )
    assert (
        "taak.yaml, line 16, steps → step 2 → mandatory: expected true or false (found 'misschien')"
    ) in found


def test_references_to_unknown_steps_and_sources_point_at_their_line() -> None:
    text = VALID.replace(
        "    sources: [bron]\n  - id: tweede",
        "    sources: [onbekend]\n    branches:\n"
        "      - if: de klant twijfelt\n        step: nergens\n  - id: tweede",
    )
    assert problems_of(text) == [
        "taak.yaml, line 14, steps → step 1 → sources → source 1: cites source 'onbekend', "
        "which is not in the task's sources list",
        "taak.yaml, line 17, steps → step 1 → branches → branch 1 → step: continues at step "
        "'nergens', which this task does not have",
    ]


def test_duplicate_step_ids_and_duplicate_keys_are_refused() -> None:
    assert any(
        "the id 'eerste' is used twice" in p
        for p in problems_of(VALID.replace("id: tweede", "id: eerste"))
    )
    assert problems_of(
        VALID.replace("domain: burgerzaken\n", "domain: burgerzaken\ndomain: andere\n")
    ) == ["taak.yaml, line 4, domain: this field appears twice; keep one"]


def test_broken_yaml_and_empty_files_are_refused() -> None:
    assert problems_of("slug: [niet dicht\n")[0].startswith(
        "taak.yaml, line 2: this is not valid YAML"
    )
    assert problems_of("") == ["taak.yaml, line 1: the file is empty"]


def test_context_rule_url_must_be_a_path_pattern() -> None:
    text = VALID + "context_rules:\n  - app: demo\n    url: https://x/zaken?id=1\n"
    assert problems_of(text) == [
        "taak.yaml, line 21, context_rules → rule 1 → url: a URL pattern starts with '/', "
        "e.g. /zaken/:id"
    ]


def test_problems_of_all_files_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID.replace("title: Testtaak\n", ""))
    (tmp_path / "b.yaml").write_text(VALID)
    (tmp_path / "c.yaml").write_text(
        VALID.replace(
            "instruction: En dan dat.",
            "instruction: En dan dat.\n    branches:\n"
            "      - if: twijfel\n        task: bestaat-niet",
        )
    )
    with pytest.raises(TaskFileError) as caught:
        load_paths([tmp_path])
    found = [p.as_in_file(ENGLISH) for p in caught.value.problems]
    assert f"{tmp_path / 'a.yaml'}, line 1, title: this field is missing" in found
    assert (
        f"{tmp_path / 'c.yaml'}, line 1, slug: 'test-taak' is also the slug of "
        f"{tmp_path / 'b.yaml'}"
    ) in found
    assert any(
        p.startswith(f"{tmp_path / 'c.yaml'}, line 20") and "'bestaat-niet'" in p for p in found
    )


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    """A file saved as Windows-1252 by an office program: the person reads where and what
    to do, in Dutch, not Python's codec message."""
    (tmp_path / "a.yaml").write_bytes(VALID.replace("Testtaak", "Taak met één").encode("cp1252"))
    with pytest.raises(TaskFileError) as caught:
        load_paths([tmp_path])
    [found] = caught.value.problems
    assert found.as_in_file(translator("nl")) == (
        f"{tmp_path / 'a.yaml'}, regel 2: is geen UTF-8-tekst (byte 0xe9); "
        "sla het bestand op als UTF-8"
    )
    assert "codec" not in found.as_in_file(ENGLISH)


def test_a_branch_may_lead_to_a_task_that_already_exists(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        VALID.replace(
            "instruction: En dan dat.",
            "instruction: En dan dat.\n    branches:\n"
            "      - if: twijfel\n        task: bestaande-taak",
        )
    )
    assert load_paths([tmp_path], known_slugs={"bestaande-taak"})


def test_canonical_output_is_stable_and_loses_nothing() -> None:
    document = load_text(
        VALID + "context_rules:\n  - app: demo\n    title: Paspoort\n"
        "    markers: ['#a']\n    zaaktype: ZT-1\n    priority: 3\n"
        "    start_step: tweede\n",
        "taak.yaml",
    )
    assert document.context_rules[0].title == "Paspoort"
    text = dump_document(document)
    assert text.startswith("# yaml-language-server: $schema=task.schema.json\n")
    again = load_text(text, "taak.yaml")
    assert again == document
    assert dump_document(again) == text


def test_shipped_schema_file_is_the_generated_one(tmp_path: Path) -> None:
    shipped = Path(__file__).parents[1] / "tasks" / "task.schema.json"
    assert json.loads(shipped.read_text()) == json_schema(), "run `epss schema`"


def test_json_schema_accepts_valid_and_rejects_invalid_files() -> None:
    schema = json_schema()
    data = yaml.safe_load(VALID)
    data["review_by"] = str(data["review_by"])
    jsonschema.validate(data, schema)
    data["steps"][0]["mandatory"] = "misschien"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_a_link_to_a_task_whose_file_has_a_problem_is_not_a_second_problem(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.yaml").write_text(
        VALID.replace("sources: [bron]\n  - id: tweede", "sources: [onbekend]\n  - id: tweede")
    )
    (tmp_path / "b.yaml").write_text(
        VALID.replace("slug: test-taak", "slug: andere-taak").replace(
            "instruction: En dan dat.",
            "instruction: En dan dat.\n    branches:\n      - if: twijfel\n        task: test-taak",
        )
    )
    with pytest.raises(TaskFileError) as caught:
        load_paths([tmp_path])
    assert [p.file for p in caught.value.problems] == [str(tmp_path / "a.yaml")]


def test_a_duplicate_slug_points_at_the_slug_line(tmp_path: Path) -> None:
    canonical = dump_document(load_text(VALID, "taak.yaml"))
    (tmp_path / "a.yaml").write_text(canonical)
    (tmp_path / "b.yaml").write_text(canonical)
    with pytest.raises(TaskFileError) as caught:
        load_paths([tmp_path])
    assert [p.as_in_file(ENGLISH) for p in caught.value.problems] == [
        f"{tmp_path / 'b.yaml'}, line 2, slug: 'test-taak' is also the slug of "
        f"{tmp_path / 'a.yaml'}"
    ]


def test_problems_are_dutch_with_the_field_as_a_person_knows_it() -> None:
    """The editor shows a problem with the step's number and title and the field's label."""
    text = VALID.replace("    instruction: Doe **dit**.\n", "    instruction: ''\n", 1)
    with pytest.raises(TaskFileError) as caught:
        load_text(text, "taak.yaml")
    shown = [str(p) for p in caught.value.problems]
    assert any(
        p.startswith("taak.yaml, regel ")
        and ", Stap 1 (Doe het eerste), Instructie: mag niet leeg zijn" in p
        for p in shown
    ), shown


def test_a_sources_article_and_date_and_the_checked_date_round_trip() -> None:
    text = VALID.replace(
        "review_by: 2027-01-01\n", "review_by: 2027-01-01\nchecked_on: 2026-12-04\n"
    ).replace(
        "    title: Een bron\n",
        "    title: Een bron\n    publisher: Overheid.nl\n"
        "    section: art. 1:19e lid 7\n    date: 2026-11-30\n",
    )
    document = load_text(text, "taak.yaml")
    assert document.checked_on == dt.date(2026, 12, 4)
    assert (document.sources[0].section, document.sources[0].date) == (
        "art. 1:19e lid 7",
        dt.date(2026, 11, 30),
    )
    written = dump_document(document)
    assert "checked_on: 2026-12-04\n" in written and "    date: 2026-11-30\n" in written
    assert dump_document(load_text(written, "taak.yaml")) == written
    stored = document.model_dump(mode="json", by_alias=True)  # as a published version
    assert dump_document(stored) == written
    assert problems_of(text.replace("date: 2026-11-30", "date: gisteren")) == [
        "taak.yaml, line 13, sources → source 1 → date: expected a date written as "
        "YYYY-MM-DD (found 'gisteren')"
    ]


def test_documents_from_before_the_dates_keep_their_form_and_their_hash() -> None:
    document = load_text(VALID, "taak.yaml")
    stored = document.model_dump(mode="json", by_alias=True)
    assert "checked_on" not in stored
    assert set(stored["sources"][0]) == {"id", "title", "publisher", "url"}
    assert (
        content_hash(document)
        == hashlib.sha256(
            json.dumps(stored, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        ).hexdigest()
    )
    assert content_hash(load_text(dump_document(stored), "taak.yaml")) == content_hash(document)
