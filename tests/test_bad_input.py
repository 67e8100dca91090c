"""Input an independent probe answered with a server error (#20): each now gets a 4xx that
names what is wrong, and changes nothing. (Numbers typed into the pages: test_bad_numbers.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from epss.db import NUL_IN_TEXT

HUGE = "32589158477190044729"  # more than any database column holds
SLUG = "aangifte-geboorte"


def stored(client: TestClient) -> dict[str, int]:
    """How many rows each table holds: what a refused request must leave as it was."""
    engine = client.app.state.services.engine
    with engine.connect() as connection:
        return {
            table: connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar()
            for table in sa.inspect(connection).get_table_names()
        }


@pytest.mark.parametrize(
    ("role", "path", "status", "named"),
    [
        (None, f"/api/v1/tasks/{SLUG}/panel?version={HUGE}", 422, "version"),
        (None, f"/api/v1/tasks/{SLUG}?version={'9' * 5000}", 422, "version: is te groot"),
        (None, "/api/v1/search?q=paspoort&limit=²", 422, "limit"),
        (None, "/static/epss.css%00.png", 404, "epss.css"),
        ("expert", f"/api/v1/tasks/{SLUG}/history?before={HUGE}", 422, "before"),
        ("expert", f"/api/v1/tasks/{SLUG}/diff?from=1&to={HUGE}", 422, "to"),
        ("medewerker", f"/api/v1/me/events?offset={HUGE}", 422, "offset"),
    ],
)
def test_a_number_or_name_out_of_bounds_is_refused_by_name(
    client: TestClient, people, role, path: str, status: int, named: str
) -> None:
    before = stored(client)
    answer = client.get(path, headers=people[role] if role else {})
    assert answer.status_code == status, answer.text
    assert named in answer.json()["detail"]
    assert stored(client) == before


def _draft_version(client: TestClient, people) -> int:
    return client.get(f"/api/v1/tasks/{SLUG}/draft", headers=people["expert"]).json()["version"]


@pytest.mark.parametrize(
    ("headers", "body", "named"),
    [
        ({"If-Match": "²".encode("latin-1")}, {"title": "Nieuwe titel"}, "If-Match"),
        ({"If-Match": "1"}, {"review_by": "0001-01-01"}, "01-01-2000"),
        ({"If-Match": "1"}, {"checked_on": "0999-12-31"}, "01-01-2000"),
        ({"If-Match": "1"}, {"review_by": "3000-01-01"}, "31-12-2999"),
    ],
)
def test_an_edit_with_an_impossible_value_changes_nothing(
    client: TestClient, people, headers: dict, body: dict, named: str
) -> None:
    version, before = _draft_version(client, people), stored(client)
    answer = client.patch(
        f"/api/v1/tasks/{SLUG}/draft", json=body, headers={**people["expert"], **headers}
    )
    assert answer.status_code == 422, answer.text
    assert named in answer.json()["detail"]
    assert stored(client) == before
    assert _draft_version(client, people) == version


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nesting a parser would recurse through
        b'{"events": [\xff\xfe]}',  # not UTF-8
        b"\xff\xfe{",
    ],
)
def test_an_event_batch_that_cannot_be_read_stores_nothing(client: TestClient, body: bytes) -> None:
    before = stored(client)
    answer = client.post(
        "/api/v1/events", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"] == "body: is geen geldige JSON"
    assert stored(client) == before


def test_a_restore_of_a_version_no_database_holds_is_refused(client: TestClient, people) -> None:
    before = stored(client)
    answer = client.post(
        f"/api/v1/tasks/{SLUG}/draft/restore", json={"version": 2**40}, headers=people["expert"]
    )
    assert answer.status_code == 422
    assert "version" in answer.json()["detail"]
    assert stored(client) == before


def test_a_body_that_is_not_text_is_told_so_in_dutch(client: TestClient, people) -> None:
    before = stored(client)
    answer = client.post(
        f"/api/v1/tasks/{SLUG}/draft/send-back",
        content=b"\xff\xfe",
        headers={**people["redacteur"], "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == "body: is geen geldige JSON"
    assert stored(client) == before


def test_text_with_a_nul_is_refused_on_either_database(client: TestClient, people) -> None:
    """PostgreSQL cannot hold a NUL, SQLite would: both refuse it, and store nothing."""
    version, before = _draft_version(client, people), stored(client)
    looked_up = client.get("/api/v1/tasks/aangifte%00geboorte")
    edited = client.patch(
        f"/api/v1/tasks/{SLUG}/draft",
        json={"title": "Aangifte\x00"},
        headers={**people["expert"], "If-Match": str(version)},
    )
    for answer in (looked_up, edited):
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"] == NUL_IN_TEXT
    assert stored(client) == before
    assert _draft_version(client, people) == version
