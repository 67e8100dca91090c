"""A step's help at its field in the editor, on SQLite and PostgreSQL: an expert writes the
tip and ticks the checks in the step form, they are stored as the task file has them, shown
in the step in Dutch words (never code names), kept as they are by a save that changes
nothing, refused with a Dutch message that names the field when a day is no number, a
pattern no regular expression or a window runs backwards; the comparison of versions says
which check changed, in words. The describer has its own tests, and the preview's script
is the desk's own."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from epss.db import unit_of_work
from epss.drafts import editing
from epss.drafts.editing import draft_view
from epss.i18n import ENGLISH, translator
from epss.pages.editor_forms import check_form_values
from epss.pages.editor_merge import value_writer
from epss.pages.field_help import CHECK_MESSAGES, describe_check, describe_checks
from tests.editor_support import basis, step_form

SLUG = "aangifte-geboorte"
STEP = "controleer-termijn"
HTMX = {"HX-Request": "true"}
URL = f"/redactie/taken/{SLUG}/stappen/{STEP}"
CHECKS_JS = Path(__file__).parents[1] / "overlay_js" / "src" / "checks.js"


def dutch(text: str) -> str:
    return text


def step_of(client: TestClient) -> dict:
    with Session(client.app.state.services.engine) as session:
        return next(s for s in draft_view(session, SLUG)["steps"] if s["id"] == STEP)


def set_step(client: TestClient, **values) -> dict:
    """The step with `values` stored (as another save would), whatever it shipped with."""
    step = step_of(client)
    with unit_of_work(client.app.state.services.engine) as session:
        editing.update_step(session, SLUG, STEP, step["version"], values, by="test")
    return step_of(client)


def plain_step(client: TestClient) -> dict:
    """The step without help at its field."""
    return set_step(client, field_tip=None, field_checks=[])


def shown(answer_text: str) -> str:
    """The text of a page as read, tags and white space aside."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", answer_text)).split())


# ---- the describer ----------------------------------------------------------------------


def test_each_check_is_described_in_words() -> None:
    assert describe_check({"kind": "required"}, dutch) == "moet ingevuld zijn"
    assert describe_check({"kind": "bsn"}, dutch) == "een geldig BSN (elfproef)"
    assert (
        describe_check({"kind": "pattern", "pattern": "[0-9]{4} ?[A-Z]{2}"}, dutch)
        == "heeft de vorm [0-9]{4} ?[A-Z]{2} (reguliere expressie)"
    )
    windows = {
        (-3, 0): "een datum van 3 dagen geleden tot en met vandaag",
        (-1, 1): "een datum van gisteren tot en met morgen",
        (0, 14): "een datum van vandaag tot en met 14 dagen na vandaag",
        (-30, None): "een datum vanaf 30 dagen geleden",
        (None, 0): "een datum tot en met vandaag",
        (0, 0): "de datum van vandaag",
        (None, None): "een datum",
    }
    for (start, end), said in windows.items():
        check = {"kind": "date", "from_days": start, "to_days": end}
        assert describe_check(check, dutch) == said, (start, end)
    own = {"kind": "bsn", "message": "Typ het BSN van de moeder."}
    assert describe_check(own, dutch, capital=True) == (
        'Een geldig BSN (elfproef) (eigen melding: "Typ het BSN van de moeder.")'
    )


def test_checks_are_described_together_and_in_english() -> None:
    checks = [
        {"kind": "required"},
        {"kind": "bsn"},
        {"kind": "date", "from_days": -3, "to_days": 0},
    ]
    assert describe_checks(checks, dutch) == (
        "moet ingevuld zijn; een geldig BSN (elfproef); een datum van 3 dagen geleden tot "
        "en met vandaag"
    )
    assert describe_checks([], dutch) == "" and describe_checks(None, dutch) == ""
    assert describe_checks(checks, translator("en")) == (
        "must be filled in; a valid BSN (eleven-test); a date from 3 days ago up to and "
        "including today"
    )
    english = translator("en")
    for check in (
        {"kind": "pattern", "pattern": "x", "message": "Eigen"},
        {"kind": "date", "from_days": -1, "to_days": 2},
        {"kind": "date", "from_days": 0},
        {"kind": "date", "to_days": 0},
        {"kind": "date", "from_days": 1, "to_days": 1},
        {"kind": "date"},
    ):
        said = describe_check(check, english)
        assert not re.search(r"\b(een|datum|dagen|vandaag|gisteren|morgen|vorm)\b", said), said


def test_the_preview_knows_every_text_the_checks_say() -> None:
    """The desk's checks and the preview's translations name the same texts."""
    source = CHECKS_JS.read_text(encoding="utf-8")
    said = set(re.findall(r"(?:problem\(|text: )'([^']+)'", source))
    assert said == set(CHECK_MESSAGES)
    assert [text for text in CHECK_MESSAGES if text not in ENGLISH] == []


def test_a_merge_and_the_form_read_checks_as_they_are_stored() -> None:
    checks = [{"kind": "date", "from_days": -3, "to_days": 0}, {"kind": "required"}]
    shown_value = value_writer({"steps": [], "sources": []}, dutch)("field_checks", checks)
    assert shown_value == "Een datum van 3 dagen geleden tot en met vandaag\nMoet ingevuld zijn"
    values = check_form_values(checks)
    assert values["controle_datum"] is True and values["controle_verplicht"] is True
    assert values["controle_bsn"] is False and values["controle_patroon"] == ""
    assert (values["controle_datum_van"], values["controle_datum_tot"]) == ("-3", "0")


# ---- the step form ----------------------------------------------------------------------


def test_an_expert_writes_the_tip_and_the_checks(client: TestClient, people: dict) -> None:
    expert = people["expert"]
    step = plain_step(client)
    form = client.get(f"{URL}/bewerken", headers={**expert, **HTMX}).text
    for name in (
        "veldtip",
        "controle_verplicht",
        "controle_bsn",
        "controle_patroon",
        "controle_datum",
        "controle_datum_van",
        "controle_datum_tot",
        "controle_bsn_melding",
    ):
        assert f'name="{name}"' in form, name
    for words in ("Hulp bij het veld", "Tip bij het veld", "Probeer de controles", "In orde"):
        assert words in form, words
    assert form.index("Veld in het zaaksysteem") < form.index("Hulp bij het veld")
    assert 'data-checks-script="/redactie/veldcontroles.js"' in form

    saved = client.post(
        URL,
        headers={**expert, **HTMX},
        data=step_form(
            step,
            doelveld="#geboortedatum",
            veldtip="Neem de datum over van de geboorteakte.",
            controle_verplicht="ja",
            controle_verplicht_melding="Vul de geboortedatum in.",
            controle_datum="ja",
            controle_datum_van="−3",  # a minus sign as typed from the hint
            controle_datum_tot="0",
        ),
    )
    assert saved.status_code == 200, saved.text
    text = shown(saved.text)
    assert "Tip bij het veld: Neem de datum over van de geboorteakte." in text
    assert (
        'Controles: moet ingevuld zijn (eigen melding: "Vul de geboortedatum in."); '
        "een datum van 3 dagen geleden tot en met vandaag" in text
    )
    assert "required" not in text and "from_days" not in text

    stored = step_of(client)
    assert stored["version"] == step["version"] + 1
    assert stored["field_tip"] == "Neem de datum over van de geboorteakte."
    checks = [
        {"kind": "required", "message": "Vul de geboortedatum in."},
        {"kind": "date", "from_days": -3, "to_days": 0},
    ]
    assert stored["field_checks"] == checks
    api = client.get(f"/api/v1/tasks/{SLUG}/draft/steps/{STEP}", headers=expert).json()
    assert api["field_tip"] == stored["field_tip"] and api["field_checks"] == checks

    # The form comes back filled; saved again as it is, nothing changes.
    again_form = client.get(f"{URL}/bewerken", headers={**expert, **HTMX}).text
    assert 'value="Vul de geboortedatum in."' in again_form and 'value="-3"' in again_form
    again = client.post(
        URL, headers={**expert, **HTMX}, data=step_form(stored, basis=basis(stored))
    )
    assert again.status_code == 200, again.text
    assert step_of(client) == stored


def test_a_save_keeps_the_order_of_the_checks_the_step_had(
    client: TestClient, people: dict
) -> None:
    had = set_step(client, target=["#bsn"], field_checks=[{"kind": "bsn"}, {"kind": "required"}])
    saved = client.post(
        URL,
        headers={**people["expert"], **HTMX},
        data=step_form(had, basis=basis(had), controle_patroon="[0-9]{9}"),
    )
    assert saved.status_code == 200, saved.text
    kinds = [c["kind"] for c in step_of(client)["field_checks"]]
    assert kinds == ["bsn", "required", "pattern"]  # the step's own order, the new one last
    cleared = step_of(client)
    form = {
        k: v
        for k, v in step_form(cleared, basis=basis(cleared)).items()
        if not k.startswith("controle_") or k == "controle"  # "controle": Goed gedaan als
    }
    client.post(URL, headers={**people["expert"], **HTMX}, data=form)
    assert step_of(client)["field_checks"] == []


def test_bad_checks_are_refused_in_dutch_naming_the_field(client: TestClient, people: dict) -> None:
    expert = people["expert"]
    step = plain_step(client)
    with_field = step_form(step, doelveld="#geboortedatum")
    cases = [
        (
            {"controle_datum": "ja", "controle_datum_van": "drie"},
            "Controles bij het veld, Vanaf (dagen vanaf vandaag): 'drie' is geen geheel "
            "aantal dagen.",
            'value="drie"',
        ),
        (
            {"controle_datum": "ja", "controle_datum_tot": "1,5"},
            "Controles bij het veld, Tot en met (dagen vanaf vandaag): '1,5' is geen geheel "
            "aantal dagen.",
            'value="1,5"',
        ),
        (
            {"controle_patroon": "[0-9"},
            "Controles bij het veld",
            'value="[0-9"',
        ),
        (
            {"controle_datum": "ja", "controle_datum_van": "0", "controle_datum_tot": "-3"},
            "draai ze om",  # the model's words for a window that runs backwards
            'value="-3"',
        ),
        (
            {"controle_datum": "ja", "controle_datum_van": "99999"},
            "Controles bij het veld",
            'value="99999"',
        ),
    ]
    for typed, said, kept in cases:
        bad = client.post(URL, headers={**expert, **HTMX}, data={**with_field, **typed})
        assert bad.status_code == 422, (typed, bad.text[:300])
        assert "Niet opgeslagen:" in bad.text and said in html.unescape(bad.text), typed
        assert kept in bad.text, typed  # what was typed stays in the form
        assert step_of(client)["version"] == step["version"], typed  # nothing saved
    regex = client.post(
        URL, headers={**expert, **HTMX}, data={**with_field, "controle_patroon": "[0-9"}
    )
    assert "reguliere expressie" in html.unescape(regex.text)
    # A tip or a check needs the field it is about.
    alone = client.post(
        URL,
        headers={**expert, **HTMX},
        data=step_form(step, doelveld="", veldtip="Een tip zonder veld."),
    )
    assert alone.status_code == 422 and "Veld in het zaaksysteem" in html.unescape(alone.text)
    assert step_of(client)["version"] == step["version"]


def test_the_editor_in_english_says_the_checks_in_english(client: TestClient, people: dict) -> None:
    step = plain_step(client)
    client.post(
        URL,
        headers={**people["expert"], **HTMX},
        data=step_form(step, doelveld="#bsn", controle_bsn="ja", veldtip="Negen cijfers."),
    )
    page = client.get(f"{URL}?lang=en", headers={**people["expert"], **HTMX}).text
    assert "Checks: a valid BSN (eleven-test)" in shown(page)
    form = client.get(f"{URL}/bewerken?lang=en", headers={**people["expert"], **HTMX}).text
    assert "Try the checks" in form and "Help at the field" in form
    messages = json.loads(html.unescape(re.search(r'data-messages="([^"]*)"', form).group(1)))
    assert messages["Dit veld is nog leeg."] == ENGLISH["Dit veld is nog leeg."]
    assert set(messages) == set(CHECK_MESSAGES)


def test_the_comparison_says_which_check_changed_in_words(client: TestClient, people: dict) -> None:
    expert = people["expert"]
    step = plain_step(client)
    client.post(
        URL,
        headers={**expert, **HTMX},
        data=step_form(
            step,
            doelveld="#geboortedatum",
            controle_datum="ja",
            controle_datum_van="-3",
            controle_datum_tot="0",
        ),
    )
    for action, who in (("indienen", expert), ("publiceren", people["redacteur"])):
        done = client.post(f"/redactie/taken/{SLUG}/{action}", headers=who, follow_redirects=False)
        assert done.status_code == 303, (action, done.text[:300])
    published = step_of(client)
    changed = client.post(
        URL,
        headers={**expert, **HTMX},
        data=step_form(
            published, basis=basis(published), controle_datum_van="-7", veldtip="Zie de akte."
        ),
    )
    assert changed.status_code == 200, changed.text
    page = client.get(f"/redactie/taken/{SLUG}/wijzigingen", headers=expert).text
    assert "Controles bij het veld" in page and "Tip bij het veld" in page
    assert "[verwijderd:] </span>Een datum van 3 dagen geleden tot en met vandaag</del>" in page
    assert "[toegevoegd:] </span>Een datum van 7 dagen geleden tot en met vandaag</ins>" in page
    assert "from_days" not in page and "field_checks" not in shown(page)


def test_the_preview_runs_the_desks_own_checks(client: TestClient, people: dict) -> None:
    script = client.get("/redactie/veldcontroles.js", headers=people["expert"])
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "max-age" in script.headers["cache-control"]
    assert CHECKS_JS.read_text(encoding="utf-8") in script.text
    assert "window.epssFieldChecks = { fieldProblem: fieldProblem }" in script.text
    assert client.get("/redactie/veldcontroles.js").status_code == 401
    desk = client.get("/redactie/veldcontroles.js", headers=people["medewerker"])
    assert desk.status_code == 403


def test_checks_changed_by_two_at_once_are_chosen_in_words(
    client: TestClient, people: dict
) -> None:
    old = set_step(client, target=["#bsn"], field_tip=None, field_checks=[{"kind": "required"}])
    first = client.post(
        URL,
        headers={**people["expert"], **HTMX},
        data=step_form(old, basis=basis(old), controle_verplicht_melding="Vul het BSN in."),
    )
    assert first.status_code == 200, first.text
    stale = client.post(
        URL,
        headers={**people["expert2"], **HTMX},
        data=step_form(
            old, basis=basis(old), controle_verplicht_melding="Het BSN ontbreekt.", veldtip="Tip."
        ),
    )
    assert stale.status_code == 412, stale.text
    text = html.unescape(stale.text)
    assert 'Moet ingevuld zijn (eigen melding: "Vul het BSN in.")' in text
    assert 'Moet ingevuld zijn (eigen melding: "Het BSN ontbreekt.")' in text
    assert "field_checks" not in shown(stale.text) and '"kind"' not in shown(stale.text)
    # "Mijn versie houden" sends the checks as they were typed, as the form's inputs.
    keep = stale.text.split("Mijn versie houden")[0].rsplit("<form", 1)[1]
    assert 'name="controle_verplicht" value="ja"' in keep
    assert 'name="controle_verplicht_melding" value="Het BSN ontbreekt."' in keep
    assert 'name="veldtip" value="Tip."' in keep
    current = step_of(client)
    state = re.search(r'name="samenvoegen" value="([^"]*)"', stale.text).group(1)
    choose = {
        **{
            k: v
            for k, v in step_form(current, basis=basis(current)).items()
            if "controle_" not in k
        },
        "veldtip": "Tip.",
        "samenvoegen": html.unescape(state),
        "keuze-field_checks-1": "mine",
    }
    saved = client.post(URL, headers={**people["expert2"], **HTMX}, data=choose)
    assert saved.status_code == 200, saved.text
    now = step_of(client)
    assert now["field_checks"] == [{"kind": "required", "message": "Het BSN ontbreekt."}]
    assert now["field_tip"] == "Tip."
