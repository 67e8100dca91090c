"""Dutch text analysis for search: words → comparable terms.

Pipeline: split into words, lowercase, fold accents, drop stopwords, split compound
words into their known parts (keeping the whole word too), stem.

Dutch glues words together ("rijbewijsaanvraag"). A compound is split when all of its
parts are words the corpus knows (compared by stem), optionally joined by a linking
's' or 'e' ("identiteit-s-kaart", "geboorte-aangifte"). The lexicon is built from the
indexed content, so a part that would never match anything is never split off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import Stemmer
from whoosh.analysis import (
    CharsetFilter,
    Composable,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

# Bump when the analysis changes: a stored index built with another version is rebuilt.
ANALYSIS_VERSION = 11

STOPWORDS = frozenset(stopwords_for_language("nl")) | {"welke", "waar", "wanneer", "hoe"}
MIN_PART = 4
# Particles of separable verbs that are not stopwords: 'afnemen' is written 'neem … af'.
SEPARABLE_PARTICLES = ("terug", "samen", "mee", "toe", "weg", "vast", "af")
_LINKS = ("", "s", "e", "en")
_DOUBLE_VOWEL = re.compile(r"([aeou])\1")
_stemmer = Stemmer.Stemmer("dutch")


_INFLECTED = re.compile(r"(?<=[^aeiouy])e$")  # an -e after a consonant that Snowball kept
_DEVOICED = str.maketrans({"z": "s", "v": "f"})


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball Dutch, then long vowels collapsed, so 'aanvraag' and 'aanvragen' meet. An
    -e after a consonant that Snowball leaves (the inflected adjective: 'dakloze', 'dode',
    'grote') goes too, with the final consonant as the base form spells it ('dakloos',
    'dood', 'groot'): z and v become s and f, a doubled one single."""
    stemmed = _stemmer.stemWord(word)
    if len(stemmed) >= 4 and _INFLECTED.search(stemmed):
        stemmed = stemmed[:-2] + stemmed[-2].translate(_DEVOICED)
        if stemmed[-1] == stemmed[-2]:
            stemmed = stemmed[:-1]
    return _DOUBLE_VOWEL.sub(r"\1", stemmed)


class Lexicon:
    """The stems of the words the corpus contains: the vocabulary compounds split into."""

    def __init__(self, words: Iterable[str] = ()):
        self.stems: set[str] = set()
        self.add(words)

    @classmethod
    def of_stems(cls, stems: Iterable[str]) -> Lexicon:
        lexicon = cls()
        lexicon.stems = set(stems)
        return lexicon

    def add(self, words: Iterable[str]) -> None:
        for word in words:
            if len(word) >= 3 and word not in STOPWORDS:
                self.stems.add(stem(word))

    def __contains__(self, part: str) -> bool:
        """True when `part` is a word of the lexicon."""
        if len(part) < MIN_PART:
            return False
        part_stem = stem(part)
        return len(part_stem) >= 3 and part_stem in self.stems

    def split(self, word: str) -> list[str] | None:
        """The parts of a compound word, or None when it is not one."""
        return _split(word, self, 3)

    def separate(self, word: str) -> tuple[str, str] | None:
        """(particle, verb) of a separable verb whose verb the corpus knows:
        'afnemen' → ('af', 'nemen'), to match 'neem de vingerafdrukken af'."""
        for particle in SEPARABLE_PARTICLES:
            verb = word[len(particle) :]
            if word.startswith(particle) and len(verb) >= 3 and stem(verb) in self.stems:
                return particle, verb
        return None


def lookups(word: str, max_parts: int = 3) -> set[str]:
    """Every stem a split of `word` may look up, whatever the lexicon holds (a superset of
    `Lexicon.trace`): the split can only change when one of these enters or leaves it."""
    found: set[str] = set()
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        found.add(stem(word[:cut]))
        for link in _LINKS:
            if not word.startswith(link, cut):
                continue
            rest = word[cut + len(link) :]
            if len(rest) >= MIN_PART:
                found.add(stem(rest))
            if max_parts > 2:
                found |= lookups(rest, max_parts - 1)
    return {s for s in found if len(s) >= 3}


@lru_cache(maxsize=100_000)
def cached_lookups(word: str) -> frozenset[str]:
    """`lookups(word)`, remembered."""
    return frozenset(lookups(word))


def _split(word: str, lexicon: Lexicon, max_parts: int) -> list[str] | None:
    # Longest known head first: 'paspoortsignalering' → 'paspoort' + 'signalering'.
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head = word[:cut]
        if head not in lexicon:
            continue
        for link in _LINKS:
            if not word.startswith(link, cut):
                continue
            rest = word[cut + len(link) :]
            if rest in lexicon:
                return [head, rest]
            if max_parts > 2:
                tail = _split(rest, lexicon, max_parts - 1)
                if tail:
                    return [head, *tail]
    return None


class DecompoundFilter(Filter):
    """Emits a compound word, then each of its parts at the same position and characters."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._cache: dict[str, list[str] | None] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DecompoundFilter) and other.lexicon.stems == self.lexicon.stems

    def __getstate__(self) -> dict[str, Any]:
        return {"lexicon": self.lexicon}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.lexicon = state["lexicon"]
        self._cache = {}

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            text = token.text
            yield token
            if len(text) < 2 * MIN_PART:
                continue
            if text in self._cache:
                parts = self._cache[text]
            else:
                parts = self._cache[text] = self.lexicon.split(text)
            for part in parts or ():
                token.text = part
                yield token


class StemFilter(Filter):
    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


_WORDS = r"\w+"
SECTION_MARK = "\x1e"
SECTION_WEIGHTS = (3.0, 2.0, 1.0)  # title, tags, body


class SectionTokenizer(Tokenizer):
    """Splits 'title␞tags␞body' into words, each weighing as much as its section, so one
    field scores like title, tags and body fields with their own weights."""

    def __init__(self) -> None:
        self.words = RegexTokenizer(_WORDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SectionTokenizer)

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        for section, weight in zip(value.split(SECTION_MARK), SECTION_WEIGHTS, strict=False):
            for token in self.words(section, **kwargs):
                token.boost = weight
                yield token


def _normalised(tokenizer: Tokenizer) -> Composable:
    return tokenizer | LowercaseFilter() | CharsetFilter(accent_map)


def word_analyzer() -> Composable:
    """Words as people type them: lowercase, without accents; nothing dropped or stemmed."""
    return _normalised(RegexTokenizer(_WORDS))


def dutch_analyzer(lexicon: Lexicon | None = None, *, sections: bool = False) -> Composable:
    """Words → terms: stopwords dropped, compounds split (with a lexicon), stemmed.
    With `sections`, the text is 'title␞tags␞body' and words weigh by section."""
    chain = _normalised(SectionTokenizer() if sections else RegexTokenizer(_WORDS))
    chain = chain | StopFilter(stoplist=STOPWORDS, minsize=1)
    if lexicon is not None:
        chain = chain | DecompoundFilter(lexicon)
    return chain | StemFilter()


def lexicon_of(analyzer: Composable) -> Lexicon:
    """The lexicon inside an analyzer made by dutch_analyzer(lexicon)."""
    return next(item.lexicon for item in analyzer.items if isinstance(item, DecompoundFilter))


class WordCachedAnalyzer:
    """An analyzer made of per-word steps, with each word's terms remembered: the same
    tokens (with their characters) as `analyzer` gives, for highlighting, which analyses
    whole bodies of text over and over. One instance belongs to one index (its lexicon)."""

    def __init__(self, analyzer: Composable, maxsize: int = 100_000):
        self.analyzer = analyzer
        self._terms = lru_cache(maxsize=maxsize)(self._word_terms)

    def _word_terms(self, word: str) -> tuple[tuple[str, bool], ...]:
        return tuple(
            (t.text, t.stopped) for t in self.analyzer(word, mode="query", removestops=False)
        )

    def __call__(
        self,
        value: str,
        chars: bool = True,
        mode: str = "query",
        removestops: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(chars=chars, removestops=removestops, mode=mode, **kwargs)
        for match in _WORD.finditer(value):
            token.startchar, token.endchar = match.span()
            for token.text, token.stopped in self._terms(match.group()):
                if removestops and token.stopped:
                    continue
                yield token


def spelling_analyzer() -> Composable:
    """Words as written, for finding what a misspelled query word was meant to be."""
    return word_analyzer() | StopFilter(stoplist=STOPWORDS, minsize=4)


_WORD = re.compile(_WORDS)


def words(text: str) -> list[str]:
    """The lowercase, accent-folded words of a text (as word_analyzer gives them)."""
    return _WORD.findall(text.lower().translate(accent_map))


def terms(text: str, analyzer: Composable) -> list[str]:
    """The stemmed terms of a text by a `dutch_analyzer()` (made once for many texts):
    without stopwords and without splitting compounds."""
    return [t.text for t in analyzer(text)]
