"""Incremental index updates: after any sequence of them, searches answer exactly as a
full rebuild of the same catalog does; updates are idempotent by position and safe
between processes; a damaged index asks for a rebuild; a rebuild never stalls searches."""

from __future__ import annotations

import copy
import multiprocessing
import random
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from epss.resources import shipped
from epss.search import SearchIndex, Synonyms
from epss.search.index import IndexNeedsRebuild
from epss.search.stats import LiveStats
from epss.search.store import open_index, state_of
from epss.taskfile import load_paths

DEV_QUERIES = Path(__file__).resolve().parents[2] / "shared/domain/search-queries-dev.yaml"
Catalog = dict[str, tuple[dict, int]]


def shipped_catalog() -> Catalog:
    return {
        task.document.slug: (task.document.model_dump(mode="json", by_alias=True), 1)
        for task in load_paths([shipped("tasks")])
    }


def synonyms() -> Synonyms:
    return Synonyms.from_file(shipped("content") / "synonyms.yaml")


def queries(catalog: Catalog, rng: random.Random) -> list[str]:
    """The development queries, words and compounds of the guidance, and typos of them."""
    found = (
        [item["q"] for item in yaml.safe_load(DEV_QUERIES.read_text(encoding="utf-8"))]
        if DEV_QUERIES.exists()
        else []
    )
    text = " ".join(
        yaml.safe_dump(document, allow_unicode=True) for document, _ in catalog.values()
    )
    words = sorted({w.lower() for w in re.findall(r"[A-Za-zë]{5,}", text)})
    long = [w for w in words if len(w) >= 10]
    for word in rng.sample(words, 40) + rng.sample(long, 20):
        cut = rng.randrange(1, len(word) - 1)
        found += [word, word[:cut] + word[cut + 1 :], word[:cut] + "x" + word[cut:]]
    found += [" ".join(rng.sample(words, 3)) for _ in range(20)]
    found += [
        "signalering",
        "paspoortsignalering",
        "signaleringen register",
        "parkeervergunning",
        "vergunning",
        "aanvraagformulier",
        "verhuisaangifte",
    ]
    return found


def answers(index: SearchIndex, texts: list[str]) -> list:
    return [
        (index.search(t, limit=10), index.search(t, limit=3, headings_only=True)) for t in texts
    ]


def assert_same_as_rebuild(
    index: SearchIndex, catalog: Catalog, texts: list[str], folder: Path
) -> None:
    fresh = SearchIndex(folder, index.synonyms)
    fresh.rebuild(list(catalog.values()), 1)
    try:
        assert index.doc_count() == fresh.doc_count()
        ours, theirs = answers(index, texts), answers(fresh, texts)
        for text, mine, right in zip(texts, ours, theirs, strict=True):
            assert mine == right, f"query {text!r}"
        with index._lock, fresh._lock:
            mine, right = index._current(), fresh._current()
            assert mine.lexicon.stems == right.lexicon.stems
            for field in ("text", "heading"):
                assert mine.stats.field_length(field) == right.stats.field_length(field)
            assert mine.stats.doc_count_all() == right.stats.doc_count_all()
            spelling = sorted(right.searcher.reader().lexicon("spelling"))
            assert [
                w
                for w in sorted(mine.searcher.reader().lexicon("spelling"))
                if mine.stats.doc_frequency("spelling", w.decode())
            ] == spelling
        # The counts of tasks per word and per stem the index keeps are a rebuild's.
        ours_state = state_of(open_index(index.directory).schema)
        right_state = state_of(open_index(folder).schema)
        for key in ("words", "stems"):
            assert ours_state[key] == right_state[key], key
    finally:
        fresh.close()


def documents_of(catalog: Catalog):
    def fetch(slugs: set[str]) -> list[tuple[dict, int]]:
        return [catalog[slug] for slug in sorted(slugs) if slug in catalog]

    return fetch


def without_words(document: dict, pattern: str) -> dict:
    """The document with the words matching `pattern` left out of every text."""
    drop = re.compile(pattern, re.IGNORECASE)

    def clean(value):
        if isinstance(value, str):
            return drop.sub("", value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: v if k in ("slug", "id") else clean(v) for k, v in value.items()}
        return value

    return clean(document)


def new_task(slug: str, title: str, text: str) -> dict:
    return {
        "slug": slug,
        "title": title,
        "goal": text,
        "tags": ["nieuw"],
        "steps": [
            {"id": "a", "title": "Eerste stap", "instruction": text},
            {"id": "b", "title": "Tweede stap", "instruction": "Controleer het."},
        ],
    }


@pytest.fixture
def catalog() -> Catalog:
    return shipped_catalog()


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    index = SearchIndex(tmp_path / "index", synonyms())
    yield index
    index.close()


@pytest.fixture(params=["in this process", "in a child process"])
def any_index(index: SearchIndex, request: pytest.FixtureRequest) -> SearchIndex:
    """The index, writing where a command writes, or where a server does."""
    if request.param == "in a child process":
        index.write_in_a_child_process()
    return index


def test_a_new_word_that_completes_compounds_elsewhere(
    any_index: SearchIndex, catalog: Catalog, tmp_path: Path
) -> None:
    index = any_index
    # Without 'signalering(en)' of its own, 'paspoortsignaleringen' does not split.
    slug = "reisdocument-aanvragen"
    document = without_words(catalog[slug][0], r"\bsignalering(en)?\b")
    catalog[slug] = (document, 1)
    index.rebuild(list(catalog.values()), 1)
    texts = queries(catalog, random.Random(1))

    def splits() -> list[str] | None:
        with index._lock:
            return index._current().lexicon.split("paspoortsignaleringen")

    assert splits() is None
    catalog["melding"] = (
        new_task("melding", "Signalering melden", "Meld elke signalering bij de toezichthouder."),
        1,
    )
    result = index.update([catalog["melding"]], [], 2, documents_of(catalog))
    assert result.applied and result.reanalysed == 1
    assert splits() == ["paspoort", "signaleringen"]
    assert_same_as_rebuild(index, catalog, texts, tmp_path / "fresh")
    # and back: without that task the compound no longer splits
    del catalog["melding"]
    assert index.update([], ["melding"], 3, documents_of(catalog)).reanalysed == 1
    assert splits() is None
    assert_same_as_rebuild(index, catalog, texts, tmp_path / "fresh2")


def _mutate(rng: random.Random, catalog: Catalog, step: int) -> tuple[list, list]:
    """One random change of the catalog: (changed items, removed slugs)."""
    slugs = sorted(catalog)
    kind = rng.choice(["add", "edit", "edit", "remove-words", "delete", "batch"])
    if kind == "add" or len(slugs) < 3:
        donor = catalog[rng.choice(slugs)][0]
        words = re.findall(r"\w{6,}", yaml.safe_dump(donor, allow_unicode=True))
        text = " ".join(rng.sample(words, 8)) + f" nieuwwoord{step} signalering aanvraag"
        slug = f"nieuw-{step}"
        catalog[slug] = (new_task(slug, f"Nieuwe taak {step}", text), 1)
        return [catalog[slug]], []
    slug = rng.choice(slugs)
    document, version = catalog[slug]
    if kind == "delete":
        del catalog[slug]
        return [], [slug]
    if kind == "remove-words":
        words = sorted(set(re.findall(r"\w{4,}", yaml.safe_dump(document, allow_unicode=True))))
        gone = "|".join(re.escape(w) for w in rng.sample(words, min(15, len(words))))
        catalog[slug] = (without_words(document, rf"\b({gone})\b"), version + 1)
        return [catalog[slug]], []
    if kind == "batch":
        other = rng.choice([s for s in slugs if s != slug])
        del catalog[other]
        changed = copy.deepcopy(document)
        changed["title"] += " aangepast"
        catalog[slug] = (changed, version + 1)
        return [catalog[slug]], [other]
    changed = copy.deepcopy(document)
    step_ = rng.choice(changed["steps"])
    step_["instruction"] = (
        step_.get("instruction", "")
        + " "
        + rng.choice(
            [
                "Kijk in het register.",
                "Bel de identiteitsdesk.",
                "Vraag om een vingerafdruk.",
                "rijbewijskeuring",
            ]
        )
    )
    catalog[slug] = (changed, version + 1)
    return [catalog[slug]], []


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 11])
def test_any_sequence_of_updates_answers_as_a_rebuild(
    index: SearchIndex,
    catalog: Catalog,
    tmp_path: Path,
    seed: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("epss.search.updates.MERGE_AT", 3)  # merges happen, and are checked
    rng = random.Random(seed)
    index.rebuild(list(catalog.values()), 1)
    texts = queries(catalog, rng)
    merged = 0
    for step in range(2, 14):
        items, removed = _mutate(rng, catalog, step)
        result = index.update(items, removed, step, documents_of(catalog))
        assert result.applied and result.position == step
        if result.compaction_due:
            assert index.compact().segments < result.segments
            merged += 1
        if step % 4 == 0 or step == 13:
            assert_same_as_rebuild(index, catalog, texts, tmp_path / f"fresh-{step}")
    assert merged, "12 updates left no merge due: the test checks no merged index"


def test_updates_are_idempotent_by_position(any_index: SearchIndex, catalog: Catalog) -> None:
    index = any_index
    index.rebuild(list(catalog.values()), 5)
    assert index.position() == 5
    document, _ = catalog["aangifte-geboorte"]
    changed = {**document, "title": "Geboorte aangeven bij het zonnebloemveld"}
    assert not index.update([(changed, 2)], [], 5, documents_of(catalog)).applied
    assert index.search("zonnebloemveld", headings_only=True) == []
    assert index.update([(changed, 2)], [], 6, documents_of(catalog)).applied
    hits = index.search("zonnebloemveld", headings_only=True)
    assert [(h.task_slug, h.task_version) for h in hits] == [("aangifte-geboorte", 2)]
    for position in (6, 4):
        result = index.update([], ["aangifte-geboorte"], position, documents_of(catalog))
        assert not result.applied and result.position == 6
    assert index.search("zonnebloemveld", headings_only=True) == hits
    assert index.position() == 6


def _follow(folder: str, changes: list, worker: int) -> None:
    """One process following the change log: each change at its position, like every
    worker of a server does."""
    index = SearchIndex(Path(folder), synonyms())
    catalog = shipped_catalog()
    for position, items, removed in changes:
        for document, version in items:
            catalog[document["slug"]] = (document, version)
        for slug in removed:
            catalog.pop(slug, None)
        index.update(items, removed, position, documents_of(catalog))
        index.search("paspoort")
    index.close()


@pytest.mark.processes
def test_two_processes_updating_one_folder_leave_a_correct_index(
    index: SearchIndex,
    catalog: Catalog,
    tmp_path: Path,
) -> None:
    index.rebuild(list(catalog.values()), 1)
    rng = random.Random(5)
    texts = queries(catalog, rng)
    changes = []
    for position in range(2, 12):
        items, removed = _mutate(rng, catalog, position)
        changes.append((position, items, removed))
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_follow, args=(str(index.directory), changes, n)) for n in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert index.position() == 11
    assert_same_as_rebuild(index, catalog, texts, tmp_path / "fresh")


@pytest.mark.parametrize("damage", ["delete", "corrupt", "garbage-segment"])
def test_a_damaged_index_has_no_position_and_is_rebuilt(
    index: SearchIndex, catalog: Catalog, damage: str
) -> None:
    index.rebuild(list(catalog.values()), 3)
    assert index.position() == 3
    hits = index.search("naamskeuze")
    assert hits and hits[0].task_slug == "aangifte-geboorte"
    for file in index.directory.iterdir():
        # Replaced, not overwritten in place: the open generation's files are mapped into
        # memory, and a file truncated under a mapping cannot be read by anyone.
        if damage == "delete" or damage == "corrupt" or file.suffix == ".seg":
            file.unlink()
        if damage != "delete":
            file.write_bytes(b"\0garbage")
    if damage == "delete":
        index.directory.rmdir()
    assert index.position() is None
    assert index.search("naamskeuze") == hits  # from the generation still open
    with pytest.raises(IndexNeedsRebuild):
        index.update([], ["aangifte-geboorte"], 4, documents_of(catalog))
    index.rebuild(list(catalog.values()), 4)
    assert index.position() == 4
    assert index.search("naamskeuze") == hits


def test_a_position_of_another_analysis_version_is_none(
    index: SearchIndex,
    catalog: Catalog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index.rebuild(list(catalog.values()), 3)
    monkeypatch.setattr("epss.search.store.ANALYSIS_VERSION", -1)
    assert index.position() is None


def test_searches_answer_from_the_old_index_during_a_rebuild(
    index: SearchIndex,
    catalog: Catalog,
) -> None:
    index.rebuild(list(catalog.values()), 1)
    before = index.search("naamskeuze")
    started, release = threading.Event(), threading.Event()

    def slow_items():
        for n, (document, version) in enumerate(catalog.values()):
            if n == 1:
                started.set()
                assert release.wait(30)
            changed = {**document, "title": document["title"] + " herzien"}
            yield changed, version + 1

    builder = threading.Thread(target=index.rebuild, args=(slow_items(), 2))
    builder.start()
    assert started.wait(30)
    try:
        for _ in range(3):
            assert index.search("naamskeuze") == before
            assert index.search("herzien") == []
        assert index.position() == 1
    finally:
        release.set()
        builder.join(60)
    assert index.position() == 2
    assert index.search("naamskeuze")[0].task_version == 2
    assert index.search("herzien")


def test_live_statistics_discount_deleted_documents(
    index: SearchIndex, catalog: Catalog, tmp_path: Path
) -> None:
    index.rebuild(list(catalog.values()), 1)
    document, _ = catalog["rijbewijs-aanvragen"]
    index.update(
        [({**document, "title": "Rijbewijs aanvragen bij de balie"}, 2)],
        [],
        2,
        documents_of(catalog),
    )
    ix = open_index(index.directory)
    with ix.reader() as reader:
        assert reader.has_deletions()  # still in its segment, counted out by LiveStats
        with index._lock:
            stats: LiveStats = index._current().stats
            assert stats.doc_count_all() == reader.doc_count() < reader.doc_count_all()
