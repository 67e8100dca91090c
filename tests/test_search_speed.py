"""The speed-ups of search change no result: the ranker finds what Whoosh finds, with its
scores and order; highlighting gets the analyzer's tokens; and nothing is remembered from an
index that was rebuilt."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import ID, TEXT, Schema

from epss.search import SearchIndex, Synonyms
from epss.search.analysis import Lexicon, WordCachedAnalyzer, dutch_analyzer
from epss.search.query import HEADING_FIELD, TEXT_FIELD, build_query
from epss.search.ranking import Ranker
from epss.services import Services


def _whooshs(searcher, query: q.Query) -> list[tuple[int, float]]:
    """Every match with its score, best first, as Whoosh's own matchers find them."""
    return [(hit.docnum, hit.score) for hit in searcher.search(query, limit=None)]


def _same(ours: list[tuple[int, float]], whooshs: list[tuple[int, float]]) -> None:
    assert ours, "the query should match something"
    assert [doc for doc, _ in ours] == [doc for doc, _ in whooshs]
    assert [score for _, score in ours] == pytest.approx([score for _, score in whooshs], rel=1e-12)


@pytest.mark.parametrize("field", [TEXT_FIELD, HEADING_FIELD])
@pytest.mark.parametrize(
    "text",
    [
        "paspoort aanvragen",
        "paspoortaanvraag identiteit vaststellen",
        "verhuisaangifte",
        "gba",
        "rijbewjis kwijt",
        "vingerafdrukken afnemen",
        "nieuw adres doorgeven",
        "geboorteaangfite erkenning vader",
        "twijfel echtheid document",
        "Paspoort aanvragn",
    ],
)
def test_the_ranker_finds_what_whoosh_finds_with_its_scores(
    shipped_index: Services,
    text: str,
    field: str,
) -> None:
    ix = whoosh_index.open_dir(str(shipped_index.search_index.directory))
    with ix.searcher() as searcher:
        lexicon = next(
            i.lexicon for i in searcher.schema[TEXT_FIELD].analyzer.items if hasattr(i, "lexicon")
        )
        query = build_query(
            text,
            synonyms=shipped_index.search_index.synonyms,
            lexicon=lexicon,
            reader=searcher.reader(),
            field=field,
        )
        assert query is not None
        ranker = Ranker(searcher)
        everything = ranker.top(query, None)
        _same(everything, _whooshs(searcher, query))
        assert ranker.top(query, 5) == everything[:5]


def _index(folder: Path, batches: list[list[str]]):
    """An index of one document per text, committed in batches: one segment each."""
    ix = whoosh_index.create_in(str(folder), Schema(id=ID(stored=True), text=TEXT))
    n = 0
    for batch in batches:
        writer = ix.writer()
        for text in batch:
            writer.add_document(id=str(n), text=text)
            n += 1
        writer.commit(merge=False)
    return ix


def test_an_optional_word_is_read_only_where_candidates_are(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 'vaak' in every document: many blocks of postings, of which the rare word's two
    # candidates need only two; the skipped blocks change no score.
    texts = ["vaak vaak" if n % 3 == 1 else "vaak" if n % 3 else "zelden vaak" for n in range(3000)]
    texts[1500] = texts[2999] = "zeldzaam vaak"
    ix = _index(tmp_path, [texts])
    query = q.AndMaybe(
        q.Or([q.Term("text", "zeldzaam"), q.Term("text", "nergens")]),
        q.Term("text", "vaak", boost=2.0),
    )
    decoded = []
    read_ids = W3LeafMatcher._read_ids
    monkeypatch.setattr(
        W3LeafMatcher, "_read_ids", lambda matcher: (decoded.append(matcher), read_ids(matcher))[1]
    )
    with ix.searcher() as searcher:
        assert searcher.doc_frequency("text", "vaak") == 3000
        ours = Ranker(searcher).top(query, None)
        ranker_read = len(decoded)
        monkeypatch.undo()
        _same(ours, _whooshs(searcher, query))
    assert [doc for doc, _ in ours] == [1500, 2999]
    assert ranker_read <= 3  # the two blocks of 'vaak' with a candidate (and 'zeldzaam')


def test_equal_scores_go_to_the_earlier_document(tmp_path: Path) -> None:
    ix = _index(tmp_path, [["kind paspoort"] * 6 + ["paspoort"] * 3])
    query = q.Or([q.Term("text", "paspoort"), q.Term("text", "kind")], boost=0.5)
    with ix.searcher() as searcher:
        ours = Ranker(searcher).top(query, 4)
        _same(ours, _whooshs(searcher, query)[:4])
    assert [doc for doc, _ in ours] == [0, 1, 2, 3]


def test_several_segments_and_deleted_documents(tmp_path: Path) -> None:
    rng = random.Random(3)
    vocabulary = ["akte", "erkenning", "kind", "vader", "moeder", "naam", "geboorte"]
    ix = _index(
        tmp_path,
        [
            [" ".join(rng.choices(vocabulary, k=rng.randint(1, 8))) for _ in range(400)]
            for _ in range(3)
        ],
    )
    writer = ix.writer()
    for n in range(0, 1200, 7):
        writer.delete_by_term("id", str(n))
    writer.commit(merge=False)
    query = q.AndMaybe(
        q.And([q.Term("text", "kind"), q.Term("text", "akte")]),
        q.Or([q.Term("text", "vader", boost=0.8), q.Term("text", "naam")]),
    )
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3
        ours = Ranker(searcher).top(query, None)
        _same(ours, _whooshs(searcher, query))
    assert not {doc for doc, _ in ours} & set(range(0, 1200, 7))


def test_a_query_the_ranker_does_not_know_is_refused(tmp_path: Path) -> None:
    ix = _index(tmp_path, [["paspoort"]])
    with ix.searcher() as searcher, pytest.raises(TypeError, match="Prefix"):
        Ranker(searcher).top(q.Prefix("text", "pas"), 10)


def test_highlighting_gets_the_tokens_the_analyzer_gives() -> None:
    analyzer = dutch_analyzer(Lexicon(["rijbewijs", "aanvraag", "geboorte", "aangifte"]))
    text = "De rijbewijsaanvraag, één geboorteaangifte en DE Rijbewijsaanvraag: nu!"

    def tokens(tokenizer) -> list[tuple]:
        return [
            (t.text, t.startchar, t.endchar, t.stopped)
            for t in tokenizer(text, chars=True, mode="query", removestops=False)
        ]

    cached = WordCachedAnalyzer(analyzer)
    assert tokens(cached) == tokens(analyzer)
    assert tokens(cached) == tokens(analyzer)  # and again, from the cache


def test_a_rebuilt_index_is_searched_and_highlighted_with_its_own_words(
    tmp_path: Path,
) -> None:
    index = SearchIndex(tmp_path / "index", Synonyms([]))
    steps = [{"id": "a", "title": "Stap", "instruction": "Controleer de parkeervergunning."}]
    index.rebuild([({"slug": "x", "title": "Parkeren", "steps": steps}, 1)], "f1")
    before = index.search("controleer")
    assert index.search("vergunning") == []  # the compound does not split yet
    assert before[0].snippet == '<mark class="match term0">Controleer</mark> de parkeervergunning'
    # Now the guidance knows 'vergunning' and 'parkeer': the compound splits into them,
    # and documents of a different length score differently.
    other = {
        "slug": "y",
        "title": "Vergunning parkeer",
        "goal": "een lange tekst " * 20,
        "steps": [{"id": "b", "title": "Vergunning", "instruction": "parkeer"}],
    }
    index.rebuild([({"slug": "x", "title": "Parkeren", "steps": steps}, 1), (other, 1)], "f2")
    after = index.search("vergunning")
    snippets = {hit.step_id: hit.snippet for hit in after}
    assert '<mark class="match term0">parkeervergunning</mark>' in snippets["a"]
    fresh = SearchIndex(tmp_path / "index", Synonyms([]))
    assert after == fresh.search("vergunning")  # no field length of the old index is used
    index.close()
    fresh.close()
