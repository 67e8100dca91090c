"""URL path patterns of context rules.

'/zaken/:id' and '/zaken/*' match exactly one path segment there; a trailing '/**'
matches any rest (also none). Query strings and fragments never take part. The overlay
implements the same rules in JavaScript; tests/test_patterns.py is the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


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
        return all(self.is_wildcard(want) or want == got
                   for want, got in zip(self.segments, parts, strict=False))

    @staticmethod
    def is_wildcard(segment: str) -> bool:
        return segment == "*" or segment.startswith(":")
