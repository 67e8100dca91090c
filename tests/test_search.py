"""Dutch search over the shipped guidance: relevance, compounds, typos, synonyms, snippets,
and an index that repairs itself."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from bench.search_quality import mean_reciprocal_rank, ranked_tasks
from epss.app import create_app
from epss.resources import shipped as shipped_folder
from epss.search import SearchIndex, Synonyms
from epss.search.analysis import Lexicon
from epss.services import Services
from epss.settings import Settings
from epss.taskfile import load_paths
from tests.conftest import TASKS_DIR, import_shipped

DEV_QUERIES = Path(__file__).resolve().parents[2] / "shared/domain/search-queries-dev.yaml"
HELDOUT_QUERIES = Path(__file__).resolve().parents[1] / "bench/queries-heldout.yaml"
CONTENT = shipped_folder("content")


def top_task(services: Services, query: str) -> str | None:
    tasks = ranked_tasks(services.search_index, query)
    return tasks[0] if tasks else None


@pytest.mark.skipif(not DEV_QUERIES.exists(), reason=f"no development set at {DEV_QUERIES}")
def test_development_queries_reach_the_mrr_goal(shipped_index: Services) -> None:
    queries = yaml.safe_load(DEV_QUERIES.read_text(encoding="utf-8"))
    assert mean_reciprocal_rank(shipped_index.search_index, queries) >= 0.9


def test_held_out_queries_reach_the_mrr_goal(shipped_index: Services) -> None:
    queries = yaml.safe_load(HELDOUT_QUERIES.read_text(encoding="utf-8"))
    assert mean_reciprocal_rank(shipped_index.search_index, queries) >= 0.9


@pytest.mark.parametrize(
    ("query", "task"),
    [
        ("rijbewijsaanvraag", "rijbewijs-aanvragen"),  # glued: rijbewijs + aanvraag
        ("paspoortaanvraag", "reisdocument-aanvragen"),
        ("geboorte aangifte", "aangifte-geboorte"),  # split where the text glues
        ("verhuisaangifte", "verhuizing-doorgeven"),
    ],
)
def test_compound_words_find_their_parts_and_back(
    shipped_index: Services, query: str, task: str
) -> None:
    assert top_task(shipped_index, query) == task


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("vingerafdrukkken", "vingerafdrukken"),
        ("gezondheidsverklaaring", "gezondheidsverklaring"),
        ("naamskeuse", "naamskeuze"),
        ("verhuizng", "verhuizing"),  # the typo changes the stem
        ("rijbewjis", "rijbewijs"),
    ],
)
def test_typos_find_what_was_meant(shipped_index: Services, typo: str, meant: str) -> None:
    assert top_task(shipped_index, typo) == top_task(shipped_index, meant) is not None


@pytest.mark.parametrize(
    ("query", "task"),
    [
        # None of these words stands in the guidance: only the synonym list connects them.
        ("gba", "verhuizing-doorgeven"),  # the BRP's old name
        ("gemeentelijke basisadministratie", "verhuizing-doorgeven"),
        (
            "sofinummer",
            "erkenning-en-naamskeuze",
        ),  # the BSN's old name: its step "Vul … het BSN … in"
        ("idkaart", "reisdocument-aanvragen"),
    ],
)
def test_desk_synonyms_find_what_the_guidance_calls_otherwise(
    shipped_index: Services, query: str, task: str
) -> None:
    assert top_task(shipped_index, query) == task


def test_results_rank_tasks_and_steps_with_highlighted_snippets(shipped_index: Services) -> None:
    hits = shipped_index.search_index.search("vingerafdrukken", limit=10)
    steps = [h for h in hits if h.step_id]
    tasks = [h for h in hits if h.step_id is None]
    assert steps and tasks, "both steps and tasks are results"
    assert "<mark" in steps[0].snippet and "vingerafdruk" in steps[0].snippet.lower()
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_nothing_is_found_for_words_the_guidance_does_not_hold(shipped_index: Services) -> None:
    assert shipped_index.search_index.search("parkeervergunning") == []
    assert shipped_index.search_index.search("de het een") == []


def test_snippets_escape_the_guidance_text(sqlite_settings: Settings) -> None:
    index = SearchIndex(sqlite_settings.index_dir, Synonyms([]))
    document = {
        "slug": "x",
        "title": "Scripttest",
        "goal": "Let op <script>alert(1)</script>",
        "steps": [{"id": "a", "title": "Stap", "instruction": "<img src=x onerror=y>"}],
    }
    index.rebuild([(document, 1)], "f")
    snippets = " ".join(h.snippet for h in index.search("script alert img onerror"))
    assert "<mark" in snippets
    assert "<script" not in snippets and "<img" not in snippets
    assert '&lt;<mark class="match term0">script</mark>&gt;' in snippets


def test_a_task_named_in_full_comes_first_however_short(sqlite_settings: Settings) -> None:
    """A new task, one step long, beside the shipped ones (one about moves, with ten steps):
    typed by its title, or the words of it that say what it is, it is the first result, not
    the seventh behind the other task's steps (the panel shows five)."""
    index = SearchIndex(sqlite_settings.index_dir, Synonyms.from_file(CONTENT / "synonyms.yaml"))
    shipped = [(t.document.model_dump(mode="json"), 1) for t in load_paths([TASKS_DIR])]
    new = {
        "slug": "verhuizing-binnen-de-gemeente",
        "title": "Verhuizing binnen de gemeente vastleggen",
        "goal": "De verhuizing staat juist en op tijd in de BRP.",
        "steps": [
            {"id": "neem-aan", "title": "Neem de melding aan", "instruction": "Open de zaak."}
        ],
    }
    index.rebuild([*shipped, (new, 1)], "f")
    for query in ("Verhuizing binnen de gemeente vastleggen", "verhuizing binnen de gemeente"):
        first = index.search(query, limit=5)[0]
        assert (first.task_slug, first.step_id) == ("verhuizing-binnen-de-gemeente", None), query
    # One word names no task: "verhuizing" finds the task with the most to say about it.
    assert index.search("verhuizing", limit=1)[0].task_slug == "verhuizing-doorgeven"


@pytest.mark.parametrize("damage", ["remove", "corrupt"])
def test_a_missing_or_corrupt_index_is_rebuilt_when_the_app_starts(
    sqlite_settings: Settings, damage: str
) -> None:
    services = Services.from_settings(sqlite_settings)
    import_shipped(services)
    services.close()
    for file in sqlite_settings.index_dir.iterdir():
        if file.name == "epss-index.json":
            continue  # the state file still says "current": only the index is damaged
        if damage == "remove":
            file.unlink()
        else:
            file.write_bytes(b"\0garbage")
    with TestClient(create_app(sqlite_settings)) as client:
        results = client.get("/api/v1/search", params={"q": "naamskeuze"}).json()["results"]
    assert results[0]["task_slug"] == "aangifte-geboorte"


def test_a_process_sharing_the_index_sees_a_rebuild(sqlite_settings: Settings) -> None:
    writer = Services.from_settings(sqlite_settings)
    reader = Services.from_settings(sqlite_settings)
    document = {
        "slug": "x",
        "title": "Eerste titel",
        "goal": "doel",
        "steps": [{"id": "a", "title": "Stap", "instruction": "tekst"}],
    }
    writer.search_index.rebuild([(document, 1)], "f1")
    assert reader.search_index.search("eerste")[0].task_version == 1
    writer.search_index.rebuild([({**document, "title": "Tweede titel"}, 2)], "f2")
    assert reader.search_index.search("tweede")[0].task_version == 2
    assert reader.search_index.search("eerste") == []
    writer.close()
    reader.close()


def test_compounds_split_only_into_known_words() -> None:
    lexicon = Lexicon(["rijbewijs", "aanvraag", "identiteit", "kaart", "geboorte", "aangifte"])
    assert lexicon.split("rijbewijsaanvraag") == ["rijbewijs", "aanvraag"]
    assert lexicon.split("identiteitskaart") == ["identiteit", "kaart"]
    assert lexicon.split("geboorteaangifte") == ["geboorte", "aangifte"]
    assert lexicon.split("parkeervergunning") is None


def test_search_api(client: TestClient) -> None:
    answer = client.get("/api/v1/search", params={"q": "naamskeuze", "limit": 3})
    assert answer.status_code == 200
    body = answer.json()
    assert body["query"] == "naamskeuze" and 0 < len(body["results"]) <= 3
    assert body["results"][0]["task_slug"] == "aangifte-geboorte"
    assert set(body["results"][0]) == {
        "task_slug",
        "task_title",
        "task_version",
        "step_id",
        "title",
        "snippet",
        "score",
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({}, "q"),
        ({"q": "x", "limit": 0}, "limit"),
        ({"q": "x", "limit": 1000}, "limit"),
        ({"q": "x", "limit": "veel"}, "limit"),
    ],
)
def test_bad_search_requests_get_a_clear_422(client: TestClient, params: dict, field: str) -> None:
    answer = client.get("/api/v1/search", params=params)
    assert answer.status_code == 422
    assert answer.json()["error"] in {"invalid_request", "invalid"}
    assert answer.json()["detail"].startswith(f"{field}:")


def test_a_compound_splits_only_into_real_words() -> None:
    lexicon = Lexicon(["meen", "emen", "nemen"])  # 'emen' stems to 'em': too short a word
    assert lexicon.split("meenemen") is None


def test_separable_verbs_split_into_particle_and_verb() -> None:
    lexicon = Lexicon(["neem", "vingerafdrukken"])
    assert lexicon.separate("afnemen") == ("af", "nemen")
    assert lexicon.separate("afdrukken") is None  # 'drukken' is not in the guidance
