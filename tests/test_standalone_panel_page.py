"""/paneel without a browser: what it offers for each way it is opened."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from epss.admin.hostapps import remove_app
from epss.admin.log import COMMAND_LINE, Actor
from epss.errors import Conflict
from epss.hostapps import STANDALONE_PANEL_APP
from epss.models import HostApp
from epss.services import Services


def test_a_zaaktype_chooses_its_task_and_the_case_goes_with_it(client: TestClient) -> None:
    page = client.get("/paneel", params={"zaaktype": "BZ-VERHUIZING", "zaak": "Z-1"}).text
    assert 'data-epss-task="verhuizing-doorgeven" data-epss-case="Z-1"' in page
    assert 'value="verhuizing-doorgeven" lang="nl" selected' in page
    assert 'data-app="epss-paneel"' in page and 'data-open="ja"' in page


def test_an_unknown_task_or_zaaktype_says_so_and_offers_the_list(client: TestClient) -> None:
    unknown = client.get("/paneel", params={"taak": "bestaat-niet"})
    assert unknown.status_code == 200
    assert "Die taak bestaat niet (meer). Kies hieronder een taak." in unknown.text
    assert "data-epss-task" not in unknown.text and "data-open" not in unknown.text
    nothing = client.get("/paneel", params={"zaaktype": "BZ-ONBEKEND"}).text
    assert "Bij zaaktype BZ-ONBEKEND hoort geen taak." in nothing
    assert "Aangifte geboorte opnemen" in nothing  # the tasks to choose from


def test_what_is_typed_in_the_address_is_shown_escaped(client: TestClient) -> None:
    page = client.get("/paneel", params={"zaaktype": "<img src=x onerror=alert(1)>"}).text
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_too_long_a_case_number_is_refused_naming_the_field(client: TestClient) -> None:
    answer = client.get("/paneel", params={"zaak": "Z" * 81})
    assert answer.status_code == 422 and "zaak" in answer.text


def test_the_standalone_panels_host_app_cannot_be_removed(services: Services) -> None:
    with Session(services.engine) as session:
        with pytest.raises(Conflict, match="hoort bij de losse hulp op /paneel"):
            remove_app(session, Actor("beheer", via=COMMAND_LINE), STANDALONE_PANEL_APP)
        session.rollback()
        assert session.get(HostApp, STANDALONE_PANEL_APP) is not None
