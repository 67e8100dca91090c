"""The shipped task analyses: complete, sourced, canonical, and pointing at real screens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from epss.demo import router as demo_router
from epss.resources import shipped
from epss.taskfile import dump_document, load_paths

SLUGS = {
    "reisdocument-aanvragen",
    "reisdocument-uitreiken",
    "twijfel-identiteit-of-document",
    "aangifte-geboorte",
    "verhuizing-doorgeven",
    "rijbewijs-aanvragen",
    "vermissing-reisdocument-of-rijbewijs",
    "eerste-inschrijving-buitenland",
    "adresonderzoek-en-briefadres",
    "aangifte-overlijden",
    "melding-voorgenomen-huwelijk",
    "erkenning-en-naamskeuze",
}
LOADED = load_paths([shipped("tasks")])
DOCS = {item.document.slug: item for item in LOADED}


def test_the_twelve_critical_tasks_are_shipped() -> None:
    assert set(DOCS) == SLUGS
    assert len(DOCS["reisdocument-aanvragen"].document.steps) >= 8


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_every_step_cites_a_source(slug: str) -> None:
    assert all(step.sources for step in DOCS[slug].document.steps)


@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_shipped_files_are_in_canonical_form(slug: str) -> None:
    item = DOCS[slug]
    with open(item.file, encoding="utf-8") as handle:
        assert handle.read() == dump_document(item.document), "rewrite it with `epss export`"


def test_the_official_term_is_functiescheiding() -> None:
    text = " ".join(Path(item.file).read_text(encoding="utf-8") for item in LOADED).lower()
    assert "functiescheiding" in text
    assert "vier-ogen" not in text and "vierogen" not in text


def test_branches_lead_to_shipped_tasks() -> None:
    for item in LOADED:
        assert item.document.linked_tasks() <= SLUGS


def test_target_hints_exist_on_the_demo_screens_their_rules_name() -> None:
    app = FastAPI()
    app.include_router(demo_router)
    client = TestClient(app)
    for item in LOADED:
        doc = item.document
        screens = [r.url for r in doc.context_rules if r.url and r.app == "demo-zaaksysteem"]
        assert screens, f"{doc.slug} has no demo screen"
        html = " ".join(client.get(url, params={"twijfel": 1}).text for url in screens)
        ids = set(re.findall(r'id="([^"]+)"', html))
        for step in doc.steps:
            for selector in step.target:
                assert selector.lstrip("#") in ids, f"{doc.slug}/{step.id}: {selector}"


def test_synonyms_and_glossary_are_well_formed() -> None:
    groups = yaml.safe_load((shipped("content") / "synonyms.yaml").read_text(encoding="utf-8"))
    terms = [term for group in groups for term in group]
    assert len(terms) == len(set(terms)), "a term stands in two groups"
    for abbreviation in ("nik", "brp", "rps", "ecid"):
        assert abbreviation in terms
    glossary = yaml.safe_load((shipped("content") / "glossary.yaml").read_text(encoding="utf-8"))
    assert all({"term", "definition", "source"} <= set(entry) for entry in glossary)
