"""Where the editor offers to point at a field (epss/pages/pick_screens.py): a screen per
origin of the host app of each task rule with an address, up to its first part that stands
for any value, exact screens first; and every registered origin a field may come from."""

from __future__ import annotations

from sqlmodel import Session

from epss.db import make_engine, unit_of_work
from epss.hostapps import register_host_app
from epss.pages.pick_screens import pick_screens


def test_screens_from_the_rules_and_the_origins_of_every_host_app(sqlite_settings) -> None:
    engine = make_engine(sqlite_settings)
    with unit_of_work(engine) as session:
        register_host_app(session, "zaken", "Zaken", ["https://zaken.gemeente.nl"])
        register_host_app(
            session, "balie", "Balie", ["https://balie.gemeente.nl", "http://10.0.0.5:8080"]
        )
    draft = {
        "context_rules": [
            {"app": "zaken", "url": "/zaken/:zaak/**"},
            {"app": "balie", "url": "/paspoort/aanvraag"},
            {"app": "zaken", "zaaktype": "BZ-REISDOC"},  # no address: no screen
            {"app": "weg", "url": "/ergens"},  # an app that is no longer registered
            {"app": "zaken", "url": "/lijst/*"},
        ]
    }
    with Session(engine) as session:
        found = pick_screens(session, draft)
    engine.dispose()
    assert found["screens"] == [
        {"name": "Balie", "url": "https://balie.gemeente.nl/paspoort/aanvraag"},
        {"name": "Balie", "url": "http://10.0.0.5:8080/paspoort/aanvraag"},
        {"name": "Zaken", "url": "https://zaken.gemeente.nl/zaken/"},
        {"name": "Zaken", "url": "https://zaken.gemeente.nl/lijst/"},
    ]
    assert found["origins"] == [
        "http://10.0.0.5:8080",
        "https://balie.gemeente.nl",
        "https://zaken.gemeente.nl",
    ]
