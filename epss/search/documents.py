"""What the index holds: its schema and the documents of one task version.

Each task gives one task document and one document per step, in that order; a task
document also stores the task's words (for the lexicon that splits compounds, and to tell
which tasks a change of that lexicon concerns). The words to correct typos against (the
spelling field) are indexed once each by a full build, in the vocabulary document (which
no update deletes), and by an update in the task documents it writes when that document
lacks them; which of them are still in some task, the index's state says (the number of
tasks with each word, and with each stem).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from epss.render import markdown_to_text
from epss.search.analysis import (
    MIN_PART,
    SECTION_MARK,
    STOPWORDS,
    Lexicon,
    dutch_analyzer,
    spelling_analyzer,
    stem,
)

META_ID = "vocabulary"  # one document without text, kept so counts match earlier indexes
SPELLING_FIELD = "spelling"
_WORD = re.compile(r"\w+")  # the tokens of analysis.word_analyzer


def schema(lexicon: Lexicon) -> Schema:
    # Fields without lengths make Whoosh look for a length file once per posting when it
    # writes a segment: every indexed field here keeps lengths, scored or not.
    return Schema(
        id=ID(unique=True, stored=True),
        slug=ID(stored=True),
        step=STORED,
        n=STORED,  # the document's place in its task: 0 the task, then its steps
        version=STORED,
        task_title=STORED,
        title=STORED,
        tags=STORED,
        body=STORED,
        words=STORED,
        # What queries match: title, tags and body in one field, weighted by section.
        text=TEXT(analyzer=dutch_analyzer(lexicon, sections=True), phrase=False),
        # Title and tags of tasks (not steps), for matching a page's own words to a task.
        heading=TEXT(analyzer=dutch_analyzer(lexicon), phrase=False),
        # Only its vocabulary is used: the words as written, to correct typos against.
        spelling=TEXT(analyzer=spelling_analyzer(), phrase=False),
    )


@lru_cache(maxsize=200_000)
def _folded(token: str) -> str:
    # analysis.word_analyzer's filters: LowercaseFilter, then CharsetFilter(accent_map)
    return token.lower().translate(accent_map)


def task_words(document: dict[str, Any] | list[dict[str, Any]]) -> set[str]:
    """The words of a task (or of its plain documents) as the analyzers see them
    (lowercase, without accents)."""
    docs = plain_documents(document) if isinstance(document, dict) else document
    tokens = {token for doc in docs for token in _WORD.findall(doc["text"])}
    return {_folded(token) for token in tokens}


def lexicon_words(words: Iterable[str]) -> set[str]:
    """The stems of the words that make up the lexicon (see analysis.Lexicon.add)."""
    return {stem(w) for w in words if len(w) >= 3 and w not in STOPWORDS}


def compound_words(words: Iterable[str]) -> list[str]:
    """The words the analyzer tries to split (long enough, not a stopword)."""
    return sorted(w for w in words if len(w) >= 2 * MIN_PART and w not in STOPWORDS)


def documents(
    plain: list[dict[str, Any]],
    words: set[str] | None = None,
    spelling: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The index documents of one published task version (its `plain_documents`) with
    the task's words, and those of `spelling` (by default all) indexed as words to
    correct typos against (a full build indexes each word once, in the vocabulary
    document; an update the task's words that document lacks)."""
    docs = [dict(doc) for doc in plain]
    words = task_words(plain) if words is None else words
    docs[0]["words"] = " ".join(sorted(words))
    spelled = " ".join(sorted(words if spelling is None else spelling))
    if spelled:
        docs[0][SPELLING_FIELD] = spelled
    return docs


def plain_documents(document: dict[str, Any], version: int = 0) -> list[dict[str, Any]]:
    """The task document, then one per step: the stored and the searched fields."""
    return list(_plain_documents(document, version))


def _plain_documents(document: dict[str, Any], version: int) -> Iterator[dict[str, Any]]:
    slug, title = document["slug"], document["title"]
    common = {"slug": slug, "version": version, "task_title": title}
    tags = " ".join([*document.get("tags", []), *document.get("zaaktypen", [])])
    body = " ".join(
        markdown_to_text(document.get(k, "")) for k in ("goal", "trigger", "standard")
    ).strip()
    yield {
        **_document(common, f"task:{slug}", None, 0, title, tags, body),
        "tags": tags,
        "heading": f"{title} {tags}",
    }
    for n, step in enumerate(document["steps"], start=1):
        body = " ".join(
            markdown_to_text(step.get(k, "")) for k in ("instruction", "why", "warning", "check")
        ).strip()
        yield _document(common, f"step:{slug}:{step['id']}", step["id"], n, step["title"], "", body)


def _document(
    common: dict[str, Any], doc_id: str, step: str | None, n: int, title: str, tags: str, body: str
) -> dict[str, Any]:
    return {
        **common,
        "id": doc_id,
        "step": step,
        "n": n,
        "title": title,
        "body": body,
        "text": SECTION_MARK.join((title, tags, body)),
    }


def indexed_values(stored: dict[str, Any]) -> dict[str, str]:
    """The values a document's counted fields were indexed from, rebuilt from its stored
    fields (to count what a deleted document took with it)."""
    title, body, tags = stored.get("title", ""), stored.get("body", ""), stored.get("tags")
    values = {"text": SECTION_MARK.join((title, tags or "", body))}
    if stored.get("n") == 0:
        values["heading"] = f"{title} {tags}"
    return values


def meta_document(vocabulary: Iterable[str] = ()) -> dict[str, Any]:
    """The document without text: in a full build, every word of the tasks once."""
    words = " ".join(sorted(vocabulary))
    return {"id": META_ID, SPELLING_FIELD: words} if words else {"id": META_ID}
