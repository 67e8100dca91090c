"""`attempt`: a change that may be refused, inside a request's one transaction. Refused, all
it did is undone and the session goes on; accepted, it is committed with the rest, once."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from epss.changes import log as change_log
from epss.db import attempt, unit_of_work
from epss.models import CatalogChange, HostApp
from epss.services import Services


class Refused(Exception):
    pass


def app(app_id: str) -> HostApp:
    return HostApp(id=app_id, name=app_id, allowed_origins=[], zaaktype_map={}, finish_buttons=[])


def stored_apps(services: Services) -> set[str]:
    with Session(services.engine) as session:
        return set(session.exec(select(HostApp.id)).all())


def changes_about(services: Services) -> set[str]:
    with Session(services.engine) as session:
        return set(session.exec(select(CatalogChange.subject)).all())


def test_a_refused_change_is_undone_and_the_rest_commits(services: Services) -> None:
    before = stored_apps(services)
    with unit_of_work(services.engine) as session:
        session.add(app("eerst"))
        change_log.record(session, change_log.HOST_APP, "al gemeld")  # for after the commit
        session.flush()
        with pytest.raises(Refused), attempt(session):
            session.add(app("geweigerd"))
            change_log.record(session, change_log.HOST_APP, "geweigerd")
            session.flush()
            raise Refused
        # The session goes on: it reads, and writes, in the same transaction.
        assert session.get(HostApp, "eerst") is not None
        assert session.exec(select(HostApp).where(HostApp.id == "geweigerd")).first() is None
        session.add(app("daarna"))
    assert stored_apps(services) == before | {"eerst", "daarna"}
    changed = changes_about(services)
    # What was meant for after the commit stays; the refused change's goes with it.
    assert "al gemeld" in changed and "geweigerd" not in changed


def test_an_accepted_change_is_committed_with_the_request_not_before(services: Services) -> None:
    """On SQLite the driver would let the savepoint's release commit a transaction the
    savepoint began: then a later error could not undo the change."""
    before = stored_apps(services)
    with pytest.raises(Refused), unit_of_work(services.engine) as session:
        session.exec(select(HostApp)).all()  # a read first, as a page does
        with attempt(session):
            session.add(app("aangenomen"))
        raise Refused  # later in the same request
    assert stored_apps(services) == before
    with unit_of_work(services.engine) as session, attempt(session):
        session.add(app("aangenomen"))
    assert stored_apps(services) == before | {"aangenomen"}
