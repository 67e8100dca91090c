"""Full-text search over published guidance (Whoosh). The index is derived data: it is
rebuilt from the database whenever it is missing, corrupt or out of date."""

from epss.search.index import SearchHit, SearchIndex
from epss.search.synonyms import Synonyms

__all__ = ["SearchHit", "SearchIndex", "Synonyms"]
