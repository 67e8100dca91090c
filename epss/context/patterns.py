"""URL path patterns of context rules.

'/zaken/:id' and '/zaken/*' match exactly one path segment there; a trailing '/**'
matches any rest (also none). Query strings and fragments never take part. The overlay
implements the same rules in JavaScript; tests/test_patterns.py is the reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_PORT = r"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
# A page address as the overlay sends it: a path, or an http(s) URL with a host (and a port
# of at most 65535). Also the JSON Schema `pattern` of such fields, so no flags, no named
# groups, no \s (other characters in JavaScript) and no $ (Python's matches before a final
# newline; here "nothing follows" is (?![\s\S])): it must read the same in JavaScript.
PAGE_ADDRESS_PATTERN = (
    r"^(/|[hH][tT][tT][pP][sS]?://([^/?#\x00-\x20]*@)?"
    r"(\[[0-9a-fA-F:.]+\]|[^@:/?#\x00-\x20\[\]]+)"
    rf"(:{_PORT})?([/?#]|(?![\s\S])))"
)
PAGE_ADDRESS = re.compile(PAGE_ADDRESS_PATTERN)
NOT_A_PAGE_ADDRESS = "verwacht een http(s)-adres of een pad dat met '/' begint"


def url_path(url: str) -> str:
    """The path of an absolute URL or a bare path, without query string or fragment."""
    return urlsplit(url).path or "/"


def path_segments(path: str) -> list[str]:
    """'/zaken/Z%201/' → ['zaken', 'Z 1']."""
    return [unquote(part) for part in path.split("/") if part]


@dataclass(frozen=True)
class PathPattern:
    source: str
    segments: tuple[str, ...]
    rest: bool

    @classmethod
    def compile(cls, pattern: str) -> PathPattern:
        segments = path_segments(pattern)
        rest = bool(segments) and segments[-1] == "**"
        return cls(pattern, tuple(segments[:-1] if rest else segments), rest)

    @property
    def specificity(self) -> int:
        """Literal segments count double: '/zaken/nieuw' beats '/zaken/:id'."""
        return sum(1 if self.is_wildcard(s) else 2 for s in self.segments)

    def matches(self, path: str) -> bool:
        return self.matches_segments(path_segments(path))

    def matches_segments(self, parts: list[str]) -> bool:
        if len(parts) < len(self.segments) or (len(parts) > len(self.segments) and not self.rest):
            return False
        return all(
            self.is_wildcard(want) or want == got
            for want, got in zip(self.segments, parts, strict=False)
        )

    @staticmethod
    def is_wildcard(segment: str) -> bool:
        return segment == "*" or segment.startswith(":")
