"""A host application's finish buttons: the CSS selectors of the buttons in the case
software that finish a case. An admin sets them on the app's page (or on the command line),
they are logged, and the overlay gets them in the app's manifest (whose ETag changes); a
bad list is refused in Dutch, naming the field and the selector, and changes nothing."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from epss.admin import hostapps
from epss.admin.log import Actor
from epss.cli import app as cli
from epss.db import make_engine, unit_of_work
from epss.errors import InvalidInput
from epss.hostapps import clean_finish_buttons, host_apps_fingerprint, parse_finish_buttons
from epss.models import AdminAction, HostApp
from epss.settings import Settings
from tests.conftest import text_of

APP = "demo-zaaksysteem"  # the shipped tasks' rules point at it
PAGE = f"/beheer/apps/{APP}"
MANIFEST = f"/api/v1/apps/{APP}/manifest"
BEA = Actor("bea", user_id=None)


@pytest.fixture
def bea(client: TestClient, people: dict) -> dict[str, str]:
    """The admin's headers; the demo app gets an origin first (its form needs one)."""
    with unit_of_work(client.app.state.services.engine) as session:
        hostapps.change_app(session, BEA, APP, origins=["https://zaken.dijkhaven.nl"])
    return people["beheerder"]


def host_app(client: TestClient, app_id: str = APP) -> HostApp | None:
    with Session(client.app.state.services.engine) as session:
        return session.get(HostApp, app_id)


def log(client: TestClient) -> list[AdminAction]:
    with Session(client.app.state.services.engine) as session:
        return list(session.exec(select(AdminAction).order_by(AdminAction.seq)).all())


def post(client: TestClient, url: str, who: dict, data: dict, **headers: str):
    return client.post(url, data=data, headers={**who, **headers}, follow_redirects=False)


def the_form(client: TestClient, **changes: str) -> dict[str, str]:
    """The app's form as it stands, with `changes`."""
    app = host_app(client)
    return {
        "naam": app.name,
        "herkomsten": "\n".join(app.allowed_origins),
        "zaaktypen": "\n".join(f"{code} = {zt}" for code, zt in app.zaaktype_map.items()),
        **changes,
    }


def textarea(page: str, ident: str) -> re.Match:
    return re.search(rf'<textarea[^>]*id="{ident}"([^>]*)>([^<]*)</textarea>', page)


# ---- the rules of a list of selectors ------------------------------------------------------


def test_selectors_are_stripped_kept_in_order_and_without_repeats() -> None:
    text = "  #afronden \r\n\n button[name=afronden]\n\t\n#afronden\n.zaak-sluiten, #klaar"
    assert parse_finish_buttons(text) == [
        "  #afronden ",
        " button[name=afronden]",
        "#afronden",
        ".zaak-sluiten, #klaar",
    ]
    assert clean_finish_buttons(parse_finish_buttons(text)) == [
        "#afronden",
        "button[name=afronden]",
        ".zaak-sluiten, #klaar",
    ]
    assert clean_finish_buttons([]) == [] and clean_finish_buttons(["  ", ""]) == []
    assert clean_finish_buttons([f"#k{n}" for n in range(20)]) == [f"#k{n}" for n in range(20)]
    assert clean_finish_buttons(["#" + "a" * 299]) == ["#" + "a" * 299]  # 300 characters


@pytest.mark.parametrize(
    ("selectors", "message"),
    [
        (
            [f"#k{n}" for n in range(21)],
            "Afrondknoppen: hooguit 20 selectors per hostapplicatie (nu 21).",
        ),
        (
            ["#" + "a" * 300],
            "Afrondknoppen: '#" + "a" * 59 + "…' is te lang; een selector heeft hooguit "
            "300 tekens.",
        ),
        (["#af\x00ronden"], "Afrondknoppen: '#af?ronden' bevat een stuurteken"),
        (["#af\tronden"], "Afrondknoppen: '#af?ronden' bevat een stuurteken"),
        (["#a\nb"], "Afrondknoppen: '#a?b' bevat een stuurteken"),
        (["#a\u2028b"], "Afrondknoppen: '#a?b' bevat een stuurteken"),
        (["#a\ud800"], "Afrondknoppen: '#a?' bevat een stuurteken"),
    ],
)
def test_a_bad_list_is_refused_naming_the_field_and_the_selector(
    selectors: list[str], message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_finish_buttons(selectors)
    assert caught.value.detail.startswith(message)


def test_twenty_repeats_of_one_selector_are_one() -> None:
    assert clean_finish_buttons(["#afronden"] * 21 + [" #afronden"]) == ["#afronden"]


# ---- the admin page, the log and the manifest ---------------------------------------------


def test_an_admin_sets_finish_buttons_and_the_overlay_gets_them(
    client: TestClient, bea: dict
) -> None:
    first = client.get(MANIFEST)
    assert first.json()["finish_buttons"] == []
    page = client.get(PAGE, headers=bea).text
    assert "Afrondknoppen" in page and "de knop blijft gewoon werken" in html.unescape(page)
    assert textarea(page, "app-afrondknoppen").group(2) == ""

    typed = ' #afronden\n\nbutton[name=afronden]\n#afronden\n.knoppen > [data-actie="sluit"]\n'
    answer = post(client, PAGE, bea, the_form(client, afrondknoppen=typed))
    assert answer.status_code == 303, answer.text
    buttons = ["#afronden", "button[name=afronden]", '.knoppen > [data-actie="sluit"]']
    assert host_app(client).finish_buttons == buttons

    # Shown filled in on the app's page, one per line.
    area = textarea(client.get(PAGE, headers=bea).text, "app-afrondknoppen")
    assert html.unescape(area.group(2)) == "\n".join(buttons)

    # In the manifest, in the admin's order, with a new ETag (no restart, no wait: applied
    # in this process before the answer came).
    second = client.get(MANIFEST)
    assert second.json()["finish_buttons"] == buttons
    assert second.headers["etag"] != first.headers["etag"]
    assert client.get(MANIFEST, headers={"If-None-Match": first.headers["etag"]}).status_code == 200
    assert (
        client.get(MANIFEST, headers={"If-None-Match": second.headers["etag"]}).status_code == 304
    )

    # Logged with before and after, in Dutch words.
    entry = log(client)[-1]
    assert entry.action == "host_app.changed"
    assert (entry.before, entry.after) == ({"finish_buttons": []}, {"finish_buttons": buttons})
    words = text_of(client.get("/beheer/log", headers=bea).text)
    assert f"Afrondknoppen: geen werd {'; '.join(buttons)}" in words

    # Saving the same again changes nothing; emptying the field removes them.
    post(
        client,
        PAGE,
        bea,
        the_form(client, afrondknoppen="#afronden\nbutton[name=afronden]\n" + buttons[2]),
    )
    assert len(log(client)) == 2  # the origin of the fixture, the finish buttons
    assert post(client, PAGE, bea, the_form(client, afrondknoppen="")).status_code == 303
    assert host_app(client).finish_buttons == []
    third = client.get(MANIFEST)
    assert third.json()["finish_buttons"] == [] and third.headers["etag"] == first.headers["etag"]


def test_with_htmx_the_form_answers_with_the_app_part(client: TestClient, bea: dict) -> None:
    answer = post(
        client,
        PAGE,
        bea,
        the_form(client, afrondknoppen="#afronden"),
        **{"HX-Request": "true"},
    )
    assert answer.status_code == 200 and answer.text.lstrip().startswith('<div id="app"')
    assert textarea(answer.text, "app-afrondknoppen").group(2) == "#afronden"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("\n".join(f"#knop-{n}" for n in range(21)), "Afrondknoppen: hooguit 20 selectors"),
        ("#afronden\n" + "#" + "b" * 300, "Afrondknoppen: '#" + "b" * 59 + "…' is te lang"),
        ("#af\tronden", "Afrondknoppen: '#af?ronden' bevat een stuurteken"),
        ("#af\x00ronden", "Afrondknoppen: '#af?ronden' bevat een stuurteken"),
    ],
)
def test_a_bad_list_on_the_page_is_refused_and_changes_nothing(
    client: TestClient, bea: dict, typed: str, shown: str
) -> None:
    post(client, PAGE, bea, the_form(client, afrondknoppen="#bestaand"))
    before, manifest, entries = host_app(client), client.get(MANIFEST), log(client)

    # A valid new name beside the bad list: the name must not be saved either.
    answer = post(client, PAGE, bea, the_form(client, naam="Andere naam", afrondknoppen=typed))
    assert answer.status_code == 422
    assert shown in html.unescape(answer.text)
    area = textarea(answer.text, "app-afrondknoppen")
    assert 'aria-invalid="true"' in area.group(1) and "wijzigen-fout" in area.group(1)
    assert html.unescape(area.group(2)) == typed  # as typed, to correct
    after = host_app(client)
    assert (after.name, after.finish_buttons) == (before.name, ["#bestaand"])
    assert log(client) == entries
    again = client.get(MANIFEST)
    assert again.json()["finish_buttons"] == ["#bestaand"]
    assert again.headers["etag"] == manifest.headers["etag"]


def test_an_app_is_added_with_finish_buttons_or_not_at_all(client: TestClient, bea: dict) -> None:
    entries = log(client)
    new = {"id": "zaken", "naam": "Zaken", "herkomsten": "https://zaken.nl"}
    refused = post(client, "/beheer/apps", bea, {**new, "afrondknoppen": "#" + "x" * 300})
    assert refused.status_code == 422
    assert "Afrondknoppen: '#xxx" in html.unescape(refused.text)
    area = textarea(refused.text, "nieuw-afrondknoppen")
    assert 'aria-invalid="true"' in area.group(1) and "nieuw-fout" in area.group(1)
    assert host_app(client, "zaken") is None and log(client) == entries

    added = post(client, "/beheer/apps", bea, {**new, "afrondknoppen": "#afronden\n#sluiten"})
    assert added.status_code == 303
    assert host_app(client, "zaken").finish_buttons == ["#afronden", "#sluiten"]
    assert log(client)[-1].after["finish_buttons"] == ["#afronden", "#sluiten"]
    manifest = client.get("/api/v1/apps/zaken/manifest").json()
    assert manifest["finish_buttons"] == ["#afronden", "#sluiten"]


def test_in_english(client: TestClient, bea: dict) -> None:
    page = client.get(PAGE, params={"lang": "en"}, headers=bea).text
    assert "Finish buttons (optional)" in page and "the button keeps working" in page
    answer = post(client, PAGE, bea, the_form(client, afrondknoppen="#a\tb"))
    assert "Finish buttons: &#39;#a?b&#39; contains a control character" in answer.text
    client.get("/?lang=nl")


# ---- below the pages ----------------------------------------------------------------------


def test_the_fingerprint_follows_the_finish_buttons(client: TestClient) -> None:
    engine = client.app.state.services.engine
    with Session(engine) as session:
        before = host_apps_fingerprint(session)
    with unit_of_work(engine) as session:
        hostapps.change_app(session, BEA, APP, finish_buttons=["#afronden"])
    with Session(engine) as session:
        assert host_apps_fingerprint(session) != before
    with unit_of_work(engine) as session:
        hostapps.change_app(session, BEA, APP, finish_buttons=[])
    with Session(engine) as session:
        assert host_apps_fingerprint(session) == before
        assert hostapps.overview(session, APP)[0].finish_buttons == []


def test_finish_buttons_on_the_command_line(env: Settings) -> None:
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["apps", "add", "zaken", "--name", "Zaken", "--finish-button", "#afronden"],
    )
    assert added.exit_code == 0, added.output
    changed = runner.invoke(
        cli,
        [
            "apps",
            "set-finish-buttons",
            "zaken",
            "--finish-button",
            "button[name=afronden]",
            "--finish-button",
            " #sluiten ",
        ],
    )
    assert changed.output == (
        "'zaken' now has the finish buttons: button[name=afronden]; #sluiten.\n"
    )
    refused = runner.invoke(
        cli, ["apps", "set-finish-buttons", "zaken", "--finish-button", "#" + "a" * 300]
    )
    assert refused.exit_code == 1
    assert "Finish buttons not changed: Finish buttons: '#aaa" in refused.output
    assert "is too long; a selector has at most 300 characters." in refused.output
    engine = make_engine(env)
    with Session(engine) as session:
        assert session.get(HostApp, "zaken").finish_buttons == ["button[name=afronden]", "#sluiten"]
    engine.dispose()
    emptied = runner.invoke(cli, ["apps", "set-finish-buttons", "zaken"])
    assert emptied.output == "'zaken' now has the finish buttons: none.\n"
