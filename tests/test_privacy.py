"""Minimal personal data and what is recorded about me: free text only when configured, case
references only as keyed hashes, nothing identifying in the database files; employees see
and download their own events (only theirs); every individual-level view by someone else
needs a purpose and is logged for the admins."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.app import create_app
from epss.db import unit_of_work
from epss.errors import InvalidInput
from epss.events import pseudonym
from epss.hostapps import register_host_app
from epss.models import Event, PersonalDataView
from epss.privacy import case_ref_hash, record_view
from epss.services import Services
from epss.settings import Settings
from tests.conftest import add_user

APP = "zaaksysteem"
EVENTS = "/api/v1/events"
USER = "jan.de.vries@gemeente.example"
BSN = "999993653"
CASE = "Z-2026-000101"


def event(**changes) -> dict:
    """A valid event, an hour ago; `changes` set fields (None removes one)."""
    when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    fields = {
        "id": str(uuid.uuid4()),
        "type": "step_checked",
        "occurred_at": when.isoformat(),
        "app": APP,
        "url": "https://zaken.gemeente.example/zaak/reisdocument/aanvraag",
        "task_slug": "reisdocument-aanvragen",
        "task_version": 1,
        "step_id": "identiteit",
        "user": USER,
        "team": "Burgerzaken balie",
        "details": {},
    }
    fields.update(changes)
    return {key: value for key, value in fields.items() if value is not None}


def register(settings: Settings) -> None:
    services = Services.from_settings(settings)
    with unit_of_work(services.engine) as session:
        register_host_app(session, APP, "Zaaksysteem", ["https://zaken.gemeente.example"])
    services.close()


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    """A client with a registered host app, on SQLite and PostgreSQL (free text off)."""
    register(settings)
    with TestClient(create_app(settings)) as client:
        yield client


def send(client: TestClient, *events: dict) -> None:
    answer = client.post(EVENTS, json={"events": list(events)})
    assert answer.status_code == 202, answer.text


def stored(client: TestClient) -> list[Event]:
    with Session(client.app.state.services.engine) as session:
        return list(session.exec(select(Event).order_by(Event.seq)))


def views(client: TestClient) -> list[PersonalDataView]:
    with Session(client.app.state.services.engine) as session:
        return list(session.exec(select(PersonalDataView).order_by(PersonalDataView.id)))


def account(client: TestClient, name: str, *roles: str) -> dict[str, str]:
    return add_user(client.app.state.services, name, *roles)


FREE_TEXT_BATCH = (
    {
        "type": "search",
        "step_id": None,
        "details": {"query": f"verhuizing {BSN} Spanje", "results": 3},
    },
    {"type": "step_deviated", "details": {"reason": "Klant woont in Spanje"}},
    {"type": "feedback", "details": {"kind": "wrong", "comment": "Zie Spanje"}},
)


# -- free text ----------------------------------------------------------------------------


def test_free_text_is_kept_filtered_by_default(app_client: TestClient) -> None:
    """What looks like personal data is replaced before a text is stored (epss.events.scrub);
    a capitalised pair at the start is taken for a name, erring on the side of removing."""
    send(app_client, *(event(**changes) for changes in FREE_TEXT_BATCH))
    assert [e.details for e in stored(app_client)] == [
        {"query": "verhuizing [nummer] Spanje", "results": 3},
        {"reason": "Klant woont in Spanje"},
        {"kind": "wrong", "comment": "[naam]"},
    ]


def test_no_free_text_is_stored_when_switched_off(sqlite_settings: Settings) -> None:
    register(sqlite_settings)
    settings = sqlite_settings.model_copy(update={"store_free_text": False})
    with TestClient(create_app(settings)) as client:
        send(client, *(event(**changes) for changes in FREE_TEXT_BATCH))
        assert [e.details for e in stored(client)] == [{"results": 3}, {}, {"kind": "wrong"}]
        page = client.get("/mijn-gegevens", headers=account(client, "rvisser", "medewerker"))
        assert "wordt niet bewaard" in page.text


def test_too_long_free_text_is_still_refused_when_it_would_not_be_stored(
    app_client: TestClient,
) -> None:
    answer = app_client.post(
        EVENTS, json={"events": [event(type="search", details={"query": "q" * 201})]}
    )
    assert answer.status_code == 422
    assert "events[0].details.query" in answer.json()["detail"]
    assert stored(app_client) == []


# -- case references ----------------------------------------------------------------------


def test_a_case_reference_is_stored_only_as_a_keyed_hash(app_client: TestClient) -> None:
    settings = app_client.app.state.services.settings
    send(app_client, event(case_ref=f"  {CASE.lower()} "), event(case_ref=" "), event())
    rows = stored(app_client)
    assert rows[0].case_ref == case_ref_hash(settings, CASE)
    assert len(rows[0].case_ref) == 64 and CASE not in rows[0].case_ref
    assert [r.case_ref for r in rows[1:]] == [None, None]
    other = settings.model_copy(update={"secret_key": "another secret"})
    assert case_ref_hash(other, CASE) != rows[0].case_ref


def test_an_overlong_case_reference_is_refused_by_its_position(app_client: TestClient) -> None:
    answer = app_client.post(EVENTS, json={"events": [event(), event(case_ref="Z" * 101)]})
    assert answer.status_code == 422
    assert "events[1].case_ref" in answer.json()["detail"]
    assert "Z" * 101 not in answer.text and stored(app_client) == []


def test_a_quality_officer_looks_up_a_case_with_a_purpose_and_it_is_logged(
    app_client: TestClient,
) -> None:
    officer = account(app_client, "kim", "kwaliteit")
    send(
        app_client,
        event(case_ref=CASE, type="step_viewed"),
        event(case_ref=CASE),
        event(case_ref="Z-2026-000102"),
    )
    answer = app_client.get(
        "/api/v1/audit/case",
        headers=officer,
        params={"ref": " z-2026-000101", "purpose": "Klacht over zaak Z-2026-000101"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [e["type"] for e in body["events"]] == ["step_viewed", "step_checked"]
    assert body["events"][0]["actor"] == pseudonym("test-secret", USER)
    [logged] = views(app_client)
    assert (logged.viewer, logged.purpose, logged.subject) == (
        "kim",
        "Klacht over zaak Z-2026-000101",
        body["case_ref"],
    )
    assert "/api/v1/audit/case" in logged.what


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ref": CASE}, "purpose"),
        ({"ref": CASE, "purpose": "   "}, "purpose"),
        ({"purpose": "Klacht"}, "ref"),
    ],
)
def test_a_case_lookup_without_purpose_or_reference_shows_and_logs_nothing(
    app_client: TestClient, params: dict, field: str
) -> None:
    officer = account(app_client, "kim", "kwaliteit")
    send(app_client, event(case_ref=CASE))
    answer = app_client.get("/api/v1/audit/case", headers=officer, params=params)
    assert answer.status_code == 422
    label = {"purpose": "Doel: ", "ref": "Zaak: "}[field]  # the field as people know it
    assert answer.json()["field"] == field and answer.json()["detail"].startswith(label)
    assert "events" not in answer.json() and views(app_client) == []


def test_the_case_page_lists_the_events_of_a_case_and_logs_the_look(app_client: TestClient) -> None:
    officer = account(app_client, "kim", "kwaliteit")
    send(
        app_client,
        event(case_ref=CASE, type="step_viewed"),
        event(case_ref=CASE, type="panel_opened", task_slug=None, task_version=None, step_id=None),
        event(case_ref="Z-2026-000102", step_id="anders"),
    )
    assert app_client.get("/kwaliteit/zaak", headers=officer).status_code == 200
    assert views(app_client) == []  # the empty form shows nothing and logs nothing
    page = app_client.post(
        "/kwaliteit/zaak",
        headers=officer,
        data={"zaak": "z-2026-000101 ", "doel": "Klacht over de balie"},
    )
    assert page.status_code == 200, page.text
    rows = page.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2 and "Stap bekeken" in rows[0] and "Hulppaneel geopend" in rows[1]
    assert "step_viewed" not in page.text and "panel_opened" not in page.text
    assert "/kwaliteit/scherm?event=" in rows[0] and "/kwaliteit/scherm" not in rows[1]
    assert "anders" not in page.text and pseudonym("test-secret", USER) not in page.text
    [logged] = views(app_client)
    assert (logged.viewer, logged.purpose) == ("kim", "Klacht over de balie")
    assert logged.subject == case_ref_hash(app_client.app.state.services.settings, CASE)
    assert "/kwaliteit/zaak" in logged.what


@pytest.mark.parametrize(
    ("form", "says", "wrong"),
    [
        ({"zaak": CASE, "doel": " "}, "Vul het doel van deze inzage in", "f-doel"),
        ({"zaak": "", "doel": "Klacht"}, "Vul een zaaknummer in", "f-zaak"),
        ({"zaak": "Z" * 101, "doel": "Klacht"}, "hoogstens 100 tekens", "f-zaak"),
    ],
)
def test_the_case_page_without_purpose_or_with_a_bad_number_shows_and_logs_nothing(
    app_client: TestClient, form: dict, says: str, wrong: str
) -> None:
    officer = account(app_client, "kim", "kwaliteit")
    send(app_client, event(case_ref=CASE))
    page = app_client.post("/kwaliteit/zaak", headers=officer, data=form)
    assert page.status_code == 422 and says in page.text
    assert f'id="{wrong}" name="{wrong[2:]}"' in page.text
    assert page.text.count('aria-invalid="true"') == 1
    field = page.text.split(f'id="{wrong}"')[1].split(">")[0]
    assert 'aria-invalid="true" aria-describedby="zaak-fout"' in field
    assert "<tbody>" not in page.text and views(app_client) == []


def test_record_view_needs_a_purpose(app_client: TestClient) -> None:
    with Session(app_client.app.state.services.engine) as session:
        with pytest.raises(InvalidInput, match="Doel: schrijf op waarom"):
            record_view(session, "kim", "", "a view", subject="abc")
        with pytest.raises(InvalidInput, match="Doel: hooguit 500 tekens"):
            record_view(session, "kim", "x" * 501, "a view")
        record_view(session, "kim", " Klacht ", "a view", subject="abc")
        session.commit()
    assert [(v.viewer, v.purpose, v.what) for v in views(app_client)] == [
        ("kim", "Klacht", "a view")
    ]


# -- nothing identifying in the database --------------------------------------------------


def _database_text(settings: Settings, engine: sa.Engine) -> bytes:
    """Everything the database holds, as bytes: the SQLite file and its WAL after a
    checkpoint, or every text (and JSON) column of every PostgreSQL table."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        return b"".join(f.read_bytes() for f in sorted(settings.data_dir.glob("epss.sqlite3*")))
    chunks = []
    with engine.connect() as connection:
        columns = connection.execute(
            sa.text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND data_type IN "
                "('text', 'character varying', 'json', 'jsonb', 'character')"
            )
        ).all()
        for table, column in columns:
            values = connection.execute(
                sa.text(f'SELECT "{column}"::text FROM "{table}"')
            ).scalars()
            chunks += [v.encode() for v in values if v is not None]
    return b"\n".join(chunks)


def test_no_user_hint_citizen_number_case_number_or_free_text_reaches_the_database(
    app_client: TestClient,
) -> None:
    settings = app_client.app.state.services.settings
    officer = account(app_client, "kim", "kwaliteit")
    send(
        app_client,
        event(url=f"https://zaken.gemeente.example/personen/{BSN}?bsn={BSN}#{BSN}", case_ref=CASE),
        event(
            type="search",
            url=f"/zoeken/{BSN}?q={BSN}",
            case_ref=CASE,
            details={"query": f"verhuizing {BSN} Spanje", "results": 2},
        ),
        event(type="step_deviated", details={"reason": f"BSN {BSN} woont in Spanje"}),
    )
    lookup = app_client.get(
        "/api/v1/audit/case",
        headers=officer,
        params={"ref": CASE, "purpose": "Steekproef kwaliteit"},
    )
    assert lookup.status_code == 200 and len(lookup.json()["events"]) == 2
    content = _database_text(settings, app_client.app.state.services.engine)
    assert pseudonym(settings.secret_key, USER).encode() in content  # it was written
    assert case_ref_hash(settings, CASE).encode() in content
    for secret in (USER, "jan.de.vries", BSN, CASE, "2026-000101"):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert secret.encode(encoding) not in content, f"{secret!r} is in the database"


# -- what is recorded about me ------------------------------------------------------------


def test_an_employee_sees_only_their_own_events(app_client: TestClient) -> None:
    me = account(app_client, "rvisser", "medewerker")
    send(
        app_client,
        event(user="RVisser ", type="step_viewed"),
        event(user="rvisser"),
        event(user="p.pietersen"),
        event(user=None),
    )
    answer = app_client.get("/api/v1/me/events", headers=me)
    assert answer.status_code == 200
    body = answer.json()
    assert body["pseudonym"] == pseudonym("test-secret", "rvisser")
    assert body["total"] == 2 and len(body["events"]) == 2
    assert {e["type"] for e in body["events"]} == {"step_viewed", "step_checked"}
    assert "actor" not in body["events"][0] and "chain_hash" not in body["events"][0]
    assert views(app_client) == []  # one's own data is not an individual-level view


def test_my_events_are_paged(app_client: TestClient) -> None:
    me = account(app_client, "rvisser", "medewerker")
    send(app_client, *(event(user="rvisser") for _ in range(5)))
    first = app_client.get("/api/v1/me/events", headers=me, params={"limit": 3}).json()
    rest = app_client.get("/api/v1/me/events", headers=me, params={"limit": 3, "offset": 3}).json()
    assert (first["total"], len(first["events"]), len(rest["events"])) == (5, 3, 2)
    assert not {e["id"] for e in first["events"]} & {e["id"] for e in rest["events"]}
    bad = app_client.get("/api/v1/me/events", headers=me, params={"limit": 0})
    assert bad.status_code == 422 and "limit" in bad.json()["detail"]


def test_every_role_has_its_own_page_and_anonymous_people_must_log_in(
    app_client: TestClient,
) -> None:
    for role in ("medewerker", "expert", "redacteur", "kwaliteit", "beheerder"):
        headers = account(app_client, f"{role}-1", role)
        assert app_client.get("/api/v1/me/events", headers=headers).status_code == 200
        assert app_client.get("/mijn-gegevens", headers=headers).status_code == 200
    assert app_client.get("/api/v1/me/events").status_code == 401
    page = app_client.get("/mijn-gegevens", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and "/inloggen" in page.headers["location"]


def test_the_page_explains_and_lists_my_events(app_client: TestClient) -> None:
    me = account(app_client, "rvisser", "medewerker")
    send(
        app_client,
        event(
            user="rvisser", type="search", step_id=None, details={"query": "pasfoto", "results": 0}
        ),
        event(user="p.pietersen", task_slug="aangifte-geboorte"),
    )
    page = app_client.get("/mijn-gegevens", headers=me)
    assert page.status_code == 200
    text = page.text
    assert "Wat wordt over mij vastgelegd" in text
    assert pseudonym("test-secret", "rvisser") in text
    assert "12 maanden" in text and "minder dan 5 mensen" in text
    assert "pas nadat een filter eruit heeft gehaald wat op persoonsgegevens lijkt" in text
    assert "Uw gebeurtenissen (1)" in text and "Gezocht" in text and "Resultaten: 0" in text
    assert "aangifte-geboorte" not in text
    english = app_client.get("/mijn-gegevens", headers=me, params={"lang": "en"}).text
    assert "What is recorded about me" in english and "Events are kept for 12 months" in english


def test_my_events_download_as_csv_and_json(app_client: TestClient) -> None:
    me = account(app_client, "rvisser", "medewerker")
    send(
        app_client,
        event(user="rvisser", case_ref=CASE),
        event(user="rvisser"),
        event(user="p.pietersen"),
    )
    as_csv = app_client.get("/mijn-gegevens/download", headers=me, params={"formaat": "csv"})
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="mijn-gegevens.csv"' in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 2 and {r["task_slug"] for r in rows} == {"reisdocument-aanvragen"}
    assert sum(bool(r["case_ref"]) for r in rows) == 1
    as_json = app_client.get("/mijn-gegevens/download", headers=me, params={"formaat": "json"})
    assert as_json.status_code == 200 and len(as_json.json()["events"]) == 2
    assert as_json.json()["pseudonym"] == pseudonym("test-secret", "rvisser")
    bad = app_client.get("/mijn-gegevens/download", headers=me, params={"formaat": "xml"})
    assert bad.status_code == 422 and "formaat" in bad.json()["detail"]


# -- the admins' log of individual-level views --------------------------------------------


def test_the_admin_sees_every_individual_view_and_others_may_not(app_client: TestClient) -> None:
    officer = account(app_client, "kim", "kwaliteit")
    admin = account(app_client, "bea", "beheerder")
    employee = account(app_client, "rvisser", "medewerker")
    app_client.get(
        "/api/v1/audit/case",
        headers=officer,
        params={"ref": CASE, "purpose": "Bezwaar van de burger"},
    )
    app_client.get("/mijn-gegevens", headers=employee)  # not logged
    page = app_client.get("/beheer/inzage-log", headers=admin)
    assert page.status_code == 200
    assert "Inzages (1)" in page.text and "Bezwaar van de burger" in page.text
    assert case_ref_hash(app_client.app.state.services.settings, CASE) in page.text
    listed = app_client.get("/api/v1/audit/views", headers=admin).json()
    assert listed["total"] == 1 and listed["views"][0]["viewer"] == "kim"
    for headers in (officer, employee):
        assert app_client.get("/beheer/inzage-log", headers=headers).status_code == 403
        assert app_client.get("/api/v1/audit/views", headers=headers).status_code == 403
    assert app_client.get("/api/v1/audit/views").status_code == 401


@pytest.mark.parametrize("role", ["medewerker", "expert", "redacteur", "beheerder"])
def test_only_a_quality_officer_looks_up_a_case(app_client: TestClient, role: str) -> None:
    headers = account(app_client, f"{role}-1", role)
    answer = app_client.get(
        "/api/v1/audit/case", headers=headers, params={"ref": CASE, "purpose": "Nieuwsgierig"}
    )
    assert answer.status_code == 403 and views(app_client) == []
    assert app_client.get("/api/v1/audit/case", params={"ref": CASE}).status_code == 401
