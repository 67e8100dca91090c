"""Mail to the writers of a step whose field the desk's panel no longer finds, through a real
SMTP server on this machine: who gets it and what it says, once per step and app (again
after 30 days or once the task was published again), nothing while the server is away and
the mail once it is back, one mail when two instances look at once; the SMTP connection
over STARTTLS and over TLS."""

from __future__ import annotations

import copy
import datetime as dt
import re
import ssl
import threading
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import Message
from functools import partial

import pytest
import trustme
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from epss.catalog import import_documents, published_version
from epss.db import make_engine, unit_of_work
from epss.drafts import editing
from epss.drafts.field_alerts import mail_field_alerts
from epss.mail import MailNotSent, send_mail
from epss.models import FieldAlert, User
from epss.services import Services
from epss.settings import Settings
from epss.taskfile import TaskDocument
from tests.ports import free_port

APP, SLUG, STEP = "demo-zaaksysteem", "verhuizing-doorgeven", "vraag-nieuw-adres"
SCREEN = "https://zaken.gemeente.example/verhuizing"


class Inbox:
    """What the SMTP server received: (envelope recipients, message)."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it so
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.mails.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    yield server, inbox
    server.stop()


def mail_settings(settings: Settings, port: int, **more) -> Settings:
    return Settings.model_validate(
        {
            **settings.model_dump(),
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "mail_from": "EPSS <epss@dijkhaven.example>",
            "public_url": "https://epss.dijkhaven.example",
            **more,
        }
    )


def missing(at: dt.datetime, step_id: str = STEP) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "highlight_missing",
        "occurred_at": at.isoformat(),
        "app": APP,
        "url": SCREEN,
        "task_slug": SLUG,
        "task_version": 1,
        "step_id": step_id,
        "user": "t.tester",
        "details": {"selector": "#nieuw-adres"},
    }


def report(client: TestClient, *moments: dt.datetime, step_id: str = STEP) -> None:
    events = [missing(at, step_id) for at in moments]
    answer = client.post("/api/v1/events", json={"events": events})
    assert answer.status_code in (200, 202), answer.text


def give_address(client: TestClient, name: str, email: str | None, **more) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        user = session.exec(select(User).where(User.name == name)).one()
        user.email = email
        for key, value in more.items():
            setattr(user, key, value)


def change_step(client: TestClient, by: str, step_id: str = STEP) -> None:
    with unit_of_work(client.app.state.services.engine) as session:
        step = next(s for s in editing.draft_view(session, SLUG)["steps"] if s["id"] == step_id)
        editing.update_step(
            session, SLUG, step_id, step["version"], {"why": f"Gewijzigd door {by}."}, by=by
        )


def a_field_missed(client: TestClient) -> dt.datetime:
    """The expert, who has an address, changed the step; its field was missed just now.
    Returns a minute later."""
    give_address(client, "expert", "e.expert@dijkhaven.example")
    change_step(client, "expert")
    now = dt.datetime.now(dt.UTC)
    report(client, now)
    return now + dt.timedelta(minutes=1)


def round_(client: TestClient, settings: Settings, now: dt.datetime) -> int:
    engine = client.app.state.services.engine
    return mail_field_alerts(engine, settings, partial(send_mail, settings), now)


def test_the_writer_of_the_step_gets_one_mail_in_dutch_with_the_way_to_fix_it(
    client: TestClient, people: dict, settings: Settings, smtp
) -> None:
    server, inbox = smtp
    configured = mail_settings(settings, server.port)
    now = dt.datetime.now(dt.UTC)
    give_address(client, "expert", "e.expert@dijkhaven.example")
    give_address(client, "expert2", "tweede@dijkhaven.example", active=False)  # gone
    give_address(client, "medewerker", "balie@dijkhaven.example")  # reads, does not write
    for name in ("medewerker", "expert2", "expert"):  # the expert changed it last
        change_step(client, name)
    report(client, now, now + dt.timedelta(seconds=1))  # since the version was published

    assert round_(client, configured, now + dt.timedelta(minutes=1)) == 1
    [(to, mail)] = inbox.mails
    assert to == ["e.expert@dijkhaven.example"]
    assert mail["From"] == "EPSS <epss@dijkhaven.example>"
    assert (
        mail["Subject"] == "Veld niet gevonden: stap 3 van ‘Verhuizing doorgeven (adreswijziging)’"
    )
    body = mail.get_content()
    assert (
        "Het hulppaneel aan de balie vond het veld van stap 3, ‘Vraag het nieuwe adres na’, van "
        "de taak ‘Verhuizing doorgeven (adreswijziging)’ niet in " in body
    )
    assert ": 2 keer sinds " in body and f"- {SCREEN}" in body
    assert (
        "https://epss.dijkhaven.example/redactie/taken/verhuizing-doorgeven"
        "?bewerk=vraag-nieuw-adres#stap-vraag-nieuw-adres" in body
    )
    assert "t.tester" not in body  # who reported it is nobody's business

    # The next rounds: the same field is not mailed about again.
    report(client, now + dt.timedelta(seconds=2))
    assert round_(client, configured, now + dt.timedelta(minutes=2)) == 0
    assert len(inbox.mails) == 1


def test_again_after_thirty_days_or_once_the_task_was_published_again(
    client: TestClient, people: dict, settings: Settings, smtp
) -> None:
    server, inbox = smtp
    configured = mail_settings(settings, server.port)
    give_address(client, "expert", "e.expert@dijkhaven.example")
    change_step(client, "expert")
    engine = client.app.state.services.engine
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(engine) as session:  # published 40 days ago, mailed about since
        published_version(session, SLUG).published_at = now - dt.timedelta(days=40)
        session.add(FieldAlert(task_slug=SLUG, step_id=STEP, app=APP, mailed_at=now))
    report(client, now)
    for days, mails in ((29, 0), (31, 1)):
        with unit_of_work(engine) as session:
            alert = session.get(FieldAlert, (SLUG, STEP, APP))
            alert.mailed_at = now - dt.timedelta(days=days)
        round_(client, configured, dt.datetime.now(dt.UTC))
        assert len(inbox.mails) == mails, days
    assert round_(client, configured, dt.datetime.now(dt.UTC)) == 0  # mailed just now

    # Published again (the expert's fix): quiet while no report came after it ...
    with unit_of_work(engine) as session:
        fixed = copy.deepcopy(published_version(session, SLUG).document)
        fixed["steps"][2]["target"] = ["#nieuw-adres-2027"]
        import_documents(
            session, [TaskDocument.model_validate(fixed)], by="redacteur", replace_draft=True
        )
    assert round_(client, configured, dt.datetime.now(dt.UTC)) == 0
    # ... and mailed once the field is missed in the new version too.
    report(client, dt.datetime.now(dt.UTC))
    assert round_(client, configured, dt.datetime.now(dt.UTC)) == 1
    assert len(inbox.mails) == 2


def test_nobody_with_an_address_no_mail_and_the_task_s_writers_when_the_step_has_none(
    client: TestClient, people: dict, settings: Settings, smtp
) -> None:
    server, inbox = smtp
    configured = mail_settings(settings, server.port)
    now = dt.datetime.now(dt.UTC)
    change_step(client, "expert")
    report(client, now)
    now += dt.timedelta(minutes=1)
    assert round_(client, configured, now) == 0  # the expert has no address: nothing claimed
    with Session(client.app.state.services.engine) as session:
        assert session.exec(select(FieldAlert)).all() == []
    give_address(client, "redacteur", "r.redacteur@dijkhaven.example")
    change_step(client, "redacteur", step_id="neem-melding-aan")  # another step of the task
    assert round_(client, configured, now) == 1
    assert inbox.mails[0][0] == ["r.redacteur@dijkhaven.example"]


def test_while_the_server_is_away_one_try_and_every_mail_goes_later(
    client: TestClient, people: dict, settings: Settings, smtp
) -> None:
    """Two steps lost their field. The server is away: one mail is tried, not each (the
    rounds share a thread with the catalog's changes), and both wait for the next round."""
    server, inbox = smtp
    now = a_field_missed(client)
    change_step(client, "expert", step_id="neem-melding-aan")
    report(client, now - dt.timedelta(seconds=30), step_id="neem-melding-aan")
    away = mail_settings(settings, free_port())  # nothing listens there
    tries: list[list[str]] = []

    def send(to: list[str], subject: str, body: str) -> None:
        tries.append(to)
        send_mail(away, to, subject, body)

    engine = client.app.state.services.engine
    assert mail_field_alerts(engine, away, send, now) == 0
    assert len(tries) == 1
    with Session(engine) as session:
        assert session.exec(select(FieldAlert)).all() == []  # both claims given back
    assert round_(client, mail_settings(settings, server.port), now) == 2
    assert len(inbox.mails) == 2


def test_two_instances_looking_at_once_send_one_mail(
    client: TestClient, people: dict, settings: Settings, smtp
) -> None:
    server, inbox = smtp
    configured = mail_settings(settings, server.port)
    now = a_field_missed(client)
    engines = [make_engine(settings) for _ in range(2)]
    start = threading.Barrier(2)
    sent: list[int] = []

    def instance(engine) -> None:
        start.wait()
        sent.append(mail_field_alerts(engine, configured, partial(send_mail, configured), now))

    threads = [threading.Thread(target=instance, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert sorted(sent) == [0, 1] and len(inbox.mails) == 1


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_the_connection_to_the_smtp_server_is_encrypted_and_checked(
    settings: Settings, security: str
) -> None:
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_side)
    inbox = Inbox()
    port = free_port()
    if security == "tls":
        server = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=server_side)
    else:
        server = Controller(
            inbox,
            hostname="127.0.0.1",
            port=port,
            tls_context=server_side,
            require_starttls=True,
        )
    server.start()
    try:
        configured = mail_settings(settings, port, smtp_security=security)
        trusting = ssl.create_default_context()
        authority.configure_trust(trusting)
        send_mail(configured, ["a@dijkhaven.example"], "Onderwerp", "Tekst", tls=trusting)
        assert inbox.mails[0][1]["Subject"] == "Onderwerp"
        with pytest.raises(MailNotSent):  # a server it cannot trust gets nothing
            send_mail(configured, ["a@dijkhaven.example"], "Onderwerp", "Tekst")
        assert len(inbox.mails) == 1
    finally:
        server.stop()


def test_mail_needs_a_sender_and_the_public_address(settings: Settings) -> None:
    with pytest.raises(ValueError, match="EPSS_SMTP_HOST needs EPSS_MAIL_FROM"):
        Settings.model_validate({**settings.model_dump(), "smtp_host": "smtp.example"})
    with pytest.raises(ValueError, match=re.escape("EPSS_PUBLIC_URL 'epss.example'")):
        Settings.model_validate({**settings.model_dump(), "public_url": "epss.example"})


def test_a_service_with_mail_set_up_sends_through_its_settings(
    client: TestClient, people: dict, settings: Settings, smtp
) -> None:
    """What a serving process runs every minute, with the service's own settings."""
    server, inbox = smtp
    a_field_missed(client)
    services = Services.from_settings(mail_settings(settings, server.port))
    try:
        assert services.mail_field_alerts() == 1
    finally:
        services.close()
    assert inbox.mails[0][0] == ["e.expert@dijkhaven.example"]
