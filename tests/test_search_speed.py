"""The speed-ups of search change no result: the same scores as plain Whoosh, the same
highlighting as the analyzer, and nothing remembered from an index that was rebuilt."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh.fields import ID, TEXT, Schema

from epss.search import SearchIndex, Synonyms, matching
from epss.search.analysis import Lexicon, WordCachedAnalyzer, dutch_analyzer
from epss.search.query import TEXT_FIELD, build_query
from epss.search.scoring import CachedLengthBM25F
from epss.services import Services


def _plain(query: q.Query) -> q.Query:
    """The query with Whoosh's own Term (boost by a wrapping matcher) for ours."""
    return query.accept(lambda node: q.Term(node.fieldname, node.text, boost=node.boost)
                        if isinstance(node, matching.Term) else node)


@pytest.mark.parametrize("text", [
    "paspoort aanvragen", "paspoortaanvraag identiteit vaststellen", "verhuisaangifte",
    "gba", "rijbewjis kwijt", "vingerafdrukken afnemen", "nieuw adres doorgeven",
])
def test_scores_are_those_of_plain_whoosh(shipped_index: Services, text: str) -> None:
    ix = whoosh_index.open_dir(str(shipped_index.search_index.directory))
    with ix.searcher(weighting=CachedLengthBM25F()) as ours, ix.searcher() as plain:
        lexicon = next(i.lexicon for i in ours.schema[TEXT_FIELD].analyzer.items
                       if hasattr(i, "lexicon"))
        query = build_query(text, synonyms=shipped_index.search_index.synonyms,
                            lexicon=lexicon, reader=ours.reader())
        assert query is not None
        found = [(hit.docnum, hit.score) for hit in ours.search(query, limit=None)]
        matching.uninstall()
        try:
            expected = [(hit.docnum, hit.score)
                        for hit in plain.search(_plain(query), limit=None)]
        finally:
            matching.install()
    assert found and [docnum for docnum, _ in found] == [docnum for docnum, _ in expected]
    assert [score for _, score in found] == pytest.approx([score for _, score in expected])


def test_skip_to_lands_where_whoosh_steps_to(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), Schema(id=ID(stored=True), text=TEXT))
    writer = ix.writer()
    for n in range(3000):  # 'vaak' in two of three documents: many blocks of postings
        writer.add_document(id=str(n), text="vaak" if n % 3 else "zelden")
    writer.commit()
    rng = random.Random(1)
    with ix.searcher() as searcher:
        def landings() -> list[int | None]:
            postings = searcher.postings("text", "vaak")
            found = []
            for target in sorted(rng.sample(range(3100), 300)):
                if postings.is_active():
                    postings.skip_to(target)
                found.append(postings.id() if postings.is_active() else None)
            return found

        rng.seed(1)
        ours = landings()
        matching.uninstall()
        try:
            rng.seed(1)
            whooshs = landings()
        finally:
            matching.install()
    assert ours == whooshs and None in ours


def test_highlighting_gets_the_tokens_the_analyzer_gives() -> None:
    analyzer = dutch_analyzer(Lexicon(["rijbewijs", "aanvraag", "geboorte", "aangifte"]))
    text = "De rijbewijsaanvraag, één geboorteaangifte en DE Rijbewijsaanvraag: nu!"

    def tokens(tokenizer) -> list[tuple]:
        return [(t.text, t.startchar, t.endchar, t.stopped) for t in
                tokenizer(text, chars=True, mode="query", removestops=False)]

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
    other = {"slug": "y", "title": "Vergunning parkeer", "goal": "een lange tekst " * 20,
             "steps": [{"id": "b", "title": "Vergunning", "instruction": "parkeer"}]}
    index.rebuild([({"slug": "x", "title": "Parkeren", "steps": steps}, 1), (other, 1)], "f2")
    after = index.search("vergunning")
    snippets = {hit.step_id: hit.snippet for hit in after}
    assert '<mark class="match term0">parkeervergunning</mark>' in snippets["a"]
    fresh = SearchIndex(tmp_path / "index", Synonyms([]))
    assert after == fresh.search("vergunning")  # no field length of the old index is used
    index.close()
    fresh.close()
