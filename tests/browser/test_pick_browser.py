"""Pointing at a step's field, in a real browser: in the editor, "Veld aanwijzen" opens the
case software's screen in a window of its own; the overlay there outlines what the pointer
or the focus is on, and a click (or Enter) picks it without the case software getting the
press; the step's form is filled with a selector and what the field looks like, and saved
like any change. On the demo desk (the service's own origin) and on a case system of
another origin; by pointer and by keyboard; Escape stops; an answer from a window the
editor did not open, or to another request, is not listened to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from webpages import DemoService, axe_findings, log_in, start_demo_service

from epss.db import make_engine
from epss.hostapps import register_host_app

SLUG, STEP = "verhuizing-doorgeven", "vraag-nieuw-adres"
OTHER_APP = "zaken-oost"

# A case system of another origin. Its own script answers every request to point with a
# field of its choosing, for a request it guesses, and writes down what it is sent.
CASE_PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Zaak 2026-0042</title></head><body><main><h1>Aanvraag paspoort</h1>
<form id="aanvraag" action="/verstuurd"><fieldset><legend>Aanvrager</legend>
<label for="f-93817">BSN aanvrager</label><input id="f-93817" name="bsn" value="">
<label for="f-93818">Lengte (cm)</label><input id="f-93818" name="lengte" value="">
</fieldset><button>Aanvraag afronden</button></form></main>
<script>
window.heard = [];
addEventListener('message', (e) => {
  window.heard.push(e.data);
  if (window.opener) window.opener.postMessage({ type: 'epss-picked', request: 'geraden',
    selector: '#vals', fingerprint: { label: 'Vals' } }, '*');
});
</script>
<script src="{service}/overlay.js" data-epss-app="zaken-oost" data-epss-user="e.expert"></script>
</body></html>"""


# A screen of that case system whose form lies in a frame of its own origin.
FRAMED_PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Zaak 2026-0043</title></head><body><main><h1>Terugbetaling</h1>
<iframe src="/formulier" title="Formulier" width="600" height="200"></iframe></main>
<script src="{service}/overlay.js" data-epss-app="zaken-oost" data-epss-user="e.expert"></script>
</body></html>"""
FRAME_FORM = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Formulier</title>
</head><body><form><label for="r-1">Rekeningnummer (IBAN)</label><input id="r-1" name="iban">
<button type="button">Controleren</button></form></body></html>"""


@pytest.fixture(scope="module")
def setup(stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoService, object]]:
    """The demo service (its own data) and a case system of another origin, registered."""
    live_server = type(stack.service)
    holder: dict[str, str] = {}

    def page(request) -> Response:
        return HTMLResponse(CASE_PAGE.replace("{service}", holder["service"]))

    def framed(request) -> Response:
        return HTMLResponse(FRAMED_PAGE.replace("{service}", holder["service"]))

    case = live_server(
        Starlette(
            routes=[
                Route("/zaak", page),
                Route("/omlijst", framed),
                Route("/formulier", lambda r: HTMLResponse(FRAME_FORM)),
                Route("/verstuurd", lambda r: HTMLResponse("<p>verstuurd</p>")),
                Route("/favicon.ico", lambda r: Response(status_code=204)),
            ]
        )
    )

    def register(settings) -> None:
        engine = make_engine(settings)
        with Session(engine) as session:
            register_host_app(session, OTHER_APP, "Zaken Oost", [case.url])
            session.commit()
        engine.dispose()

    service = start_demo_service(stack, tmp_path_factory.mktemp("pick"), "pick-test", register)
    holder["service"] = service.url
    case.start()
    yield service, case
    service.stop()
    case.server.should_exit = True


def _step_form(page: Page, service: DemoService):
    log_in(page, service.url, "eva", f"/redactie/taken/{SLUG}")
    item = page.locator(f"#stap-{STEP}")
    item.get_by_role("link", name="Bewerken").click()  # htmx swap
    expect(item).to_have_attribute("data-mode", "edit")
    item.locator("details.fold").evaluate("el => { el.open = true; }")
    return item


def test_an_expert_points_at_a_field_on_the_demo_desk_and_the_step_keeps_it(
    page: Page, setup
) -> None:
    service, _ = setup
    item = _step_form(page, service)
    expect(item.get_by_label("Scherm", exact=True)).to_have_value(f"{service.url}/demo/verhuizing")
    item.locator("fieldset.pick").screenshot(
        path=service.shots / "pick-editor.png", caret="initial"
    )
    assert axe_findings(page) == []
    with page.expect_popup() as opened:
        item.get_by_role("button", name="Veld aanwijzen").click()
    screen = opened.value
    bar = screen.locator("epss-overlay .pk-bar")
    expect(bar).to_contain_text("Wijs het veld aan voor: Vraag het nieuwe adres na.")
    said = item.locator("[data-pick-said]")
    expect(said).to_have_text("Wijs in het andere venster het veld aan.")
    postcode = screen.get_by_label("Postcode")
    postcode.hover()
    ring = screen.locator("epss-overlay .pk-ring")
    expect(ring).to_be_visible()
    box, field = ring.bounding_box(), postcode.bounding_box()
    assert (round(box["x"]), round(box["width"])) == (round(field["x"]), round(field["width"]))
    screen.screenshot(path=service.shots / "pick-screen.png", caret="initial")
    with screen.expect_event("close"):
        postcode.click()
    expect(said).to_have_text("Aangewezen: ‘Postcode’. Sla de stap op om het te bewaren.")
    item.locator("fieldset.pick").screenshot(
        path=service.shots / "pick-editor-done.png", caret="initial"
    )
    target = item.locator("textarea[name=doelveld]")
    expect(target).to_have_value("#postcode")
    expect(target).to_be_focused()
    item.get_by_role("button", name="Stap opslaan").click()
    expect(item).to_contain_text("ook herkend aan kenmerken")
    step = service.step(SLUG, STEP)
    assert step["target"] == ["#postcode"]
    assert step["target_fingerprint"]["label"] == "Postcode"
    assert step["target_fingerprint"]["name"] == "postcode"
    assert "value" not in step["target_fingerprint"]  # what the field holds is never read


def test_by_keyboard_on_a_case_system_of_another_origin_forged_answers_unheard(
    page: Page, setup
) -> None:
    service, case = setup
    item = _step_form(page, service)
    screen_input = item.get_by_label("Scherm", exact=True)
    screen_input.fill(f"{case.url}/zaak")
    item.get_by_role("button", name="Veld aanwijzen").focus()
    with page.expect_popup() as opened:
        page.keyboard.press("Enter")
    screen = opened.value
    expect(screen.locator("epss-overlay .pk-bar")).to_be_visible()
    # The case system's own answer (to a request it guessed) changed nothing.
    said = item.locator("[data-pick-said]")
    expect(said).to_have_text("Wijs in het andere venster het veld aan.")
    expect(item.locator("textarea[name=doelveld]")).not_to_have_value("#vals")
    # Tab to "Lengte (cm)", Enter picks it; the form of the case system is not submitted.
    for _ in range(10):
        screen.keyboard.press("Tab")
        if screen.evaluate("() => document.activeElement.name") == "lengte":
            break
    with screen.expect_event("close"), suppress(PlaywrightError):
        screen.keyboard.press("Enter")  # the editor may close the window before it returns
    expect(said).to_have_text("Aangewezen: ‘Lengte (cm)’. Sla de stap op om het te bewaren.")
    # A made-up id (f-93818) is passed over for the field's name.
    expect(item.locator("textarea[name=doelveld]")).to_have_value('input[name="lengte"]')
    item.get_by_role("button", name="Stap opslaan").click()
    expect(item).to_contain_text("ook herkend aan kenmerken")
    print_ = service.step(SLUG, STEP)["target_fingerprint"]
    assert (print_["label"], print_["heading"]) == ("Lengte (cm)", "Aanvrager")


def test_escape_stops_and_nothing_changes_and_a_foreign_screen_is_refused(
    page: Page, setup
) -> None:
    service, case = setup
    item = _step_form(page, service)
    before = item.locator("textarea[name=doelveld]").input_value()
    screen_input = item.get_by_label("Scherm", exact=True)
    screen_input.fill("https://elders.example/zaak")
    item.get_by_role("button", name="Veld aanwijzen").click()
    said = item.locator("[data-pick-said]")
    expect(said).to_have_text(
        "https://elders.example is van geen geregistreerd zaaksysteem: "
        "kies een scherm uit de lijst."
    )
    expect(screen_input).to_be_focused()
    screen_input.fill(f"{case.url}/zaak")
    with page.expect_popup() as opened:
        item.get_by_role("button", name="Veld aanwijzen").click()
    screen = opened.value
    expect(screen.locator("epss-overlay .pk-bar")).to_be_visible()
    screen.keyboard.press("Escape")
    expect(said).to_have_text("Aanwijzen gestopt; er is niets veranderd.")
    expect(screen.locator("epss-overlay .pk-bar")).to_be_hidden()
    expect(item.locator("textarea[name=doelveld]")).to_have_value(before)
    # All the case system's page was told: what to point at for which step, and a
    # request's id. No credential.
    heard = screen.evaluate("() => window.heard")
    assert heard and all(set(m) <= {"type", "request", "what", "step"} for m in heard)
    # A click there now is the case system's own again.
    screen.get_by_role("button", name="Aanvraag afronden").click()
    expect(screen).to_have_url(f"{case.url}/verstuurd?bsn=&lengte=")


def test_an_expert_points_at_the_screen_a_task_belongs_on_and_gets_a_rule(
    page: Page, setup
) -> None:
    """In the new context rule: the expert goes to a case's page in the other window and
    chooses it; the rule gets the app, the address with the case number as `:zaak`, and the
    zaaktype, and is saved like any rule."""
    service, _ = setup
    log_in(page, service.url, "eva", f"/redactie/taken/{SLUG}")
    rule = page.locator("fieldset.rule").last
    rule.get_by_label("Scherm", exact=True).fill(f"{service.url}/demo/")
    with page.expect_popup() as opened:
        rule.get_by_role("button", name="Scherm aanwijzen").click()
    screen = opened.value
    bar = screen.locator("epss-overlay .pk-bar")
    expect(bar).to_contain_text("Ga naar het scherm waarop de taak hoort")
    # On to the case's page: a new page, whose overlay is asked again.
    screen.get_by_role("link", name="Z-2026-000112", exact=True).click()
    expect(screen).to_have_url(f"{service.url}/demo/zaken/Z-2026-000112")
    with screen.expect_event("close"):
        bar.get_by_role("button", name="Dit scherm").click()
    said = rule.locator("[data-pick-said]")
    expect(said).to_have_text(
        "Aangewezen: ‘/demo/zaken/:zaak’, BZ-REISDOC-AANVR. "
        "Controleer de regel en sla de contextregels op."
    )
    expect(rule.get_by_label("Adrespatroon")).to_have_value("/demo/zaken/:zaak")
    expect(rule.get_by_label("Adrespatroon")).to_be_focused()
    expect(rule.get_by_label("Zaaksysteem (id)")).to_have_value("demo-zaaksysteem")
    expect(rule.get_by_label("Zaaktype")).to_have_value("BZ-REISDOC-AANVR")
    expect(rule.get_by_label("Titel bevat")).to_have_value("")  # "Zaak Z-2026-000112 — …"
    # The demo's desk used the panel on eleven screens, none of them a case's own page.
    reach = rule.locator("details.rule-reach")
    expect(reach).to_have_attribute("open", "")
    expect(reach).to_contain_text("Het adrespatroon past op geen van de 11 pagina’s")
    rules_before = len(service.draft(SLUG)["context_rules"])
    page.get_by_role("button", name="Contextregels opslaan").click()
    expect(page.locator("fieldset.rule")).to_have_count(rules_before + 2)  # the new empty one
    # (A screenshot before the swap leaves style="" on every field: htmx then copies it, and
    # the page's Content-Security-Policy refuses it.)
    page.locator("fieldset.rule").nth(rules_before).screenshot(
        path=service.shots / "pick-rule.png", caret="initial"
    )
    rules = service.draft(SLUG)["context_rules"]
    assert {
        "app": "demo-zaaksysteem",
        "url": "/demo/zaken/:zaak",
        "zaaktype": "BZ-REISDOC-AANVR",
    } in [{k: r.get(k) for k in ("app", "url", "zaaktype")} for r in rules]


def test_a_screen_pointed_at_proposes_its_title_and_shows_the_other_pages_it_matches(
    page: Page, setup
) -> None:
    """The rule gets the part of the title that names the screen, and beside it the pages
    of the case software the address takes in, of those the desk used the panel on; as
    the expert widens the address, the list follows."""
    service, _ = setup
    log_in(page, service.url, "eva", f"/redactie/taken/{SLUG}")
    rule = page.locator("fieldset.rule").last
    rule.get_by_label("Scherm", exact=True).fill(f"{service.url}/demo/verhuizing")
    with page.expect_popup() as opened:
        rule.get_by_role("button", name="Scherm aanwijzen").click()
    screen = opened.value
    with screen.expect_event("close"):
        screen.locator("epss-overlay .pk-bar").get_by_role("button", name="Dit scherm").click()
    expect(rule.get_by_label("Titel bevat")).to_have_value("Verhuizing doorgeven")
    expect(rule.locator("[data-pick-said]")).to_contain_text(
        "Aangewezen: ‘/demo/verhuizing’, ‘Verhuizing doorgeven’, BZ-VERHUIZING."
    )
    # A marker is proposed, not filled in: it would put the rule before rules without one.
    proposal = rule.locator("[data-pick-marker]")
    expect(proposal).to_contain_text("Op dit scherm staat #zaakkop-titel.")
    expect(rule.get_by_label("Markeringen")).to_have_value("")
    proposal.get_by_role("button", name="Als markering nemen").click()
    expect(rule.get_by_label("Markeringen")).to_have_value("#zaakkop-titel")
    expect(rule.get_by_label("Markeringen")).to_be_focused()
    expect(proposal).to_be_hidden()
    reach = rule.locator("details.rule-reach")
    expect(reach).to_contain_text("Het adrespatroon past op 1 van de 11 pagina’s")
    expect(reach.locator("ul").first).to_have_text("/demo/verhuizing")
    expect(reach.get_by_text("Past niet op 10 andere")).to_be_visible()
    rule.get_by_label("Adrespatroon").fill("/demo/**")
    expect(reach).to_contain_text("Het adrespatroon past op 11 van de 11 pagina’s")
    page.screenshot(path=service.shots / "pick-rule-reach.png", full_page=True, caret="initial")
    assert axe_findings(page) == []


def test_an_expert_records_steps_by_doing_the_task_on_the_demo_desk(
    page: Page, setup, console
) -> None:
    """ "Stappen opnemen": the expert does the task in the other window, across a page load;
    each field filled in and each button pressed comes into the editor as a step with a
    suggested title; the ones left ticked are added at the end of the draft, with their
    fields, and nothing typed is kept."""
    service, _ = setup
    log_in(page, service.url, "eva", f"/redactie/taken/{SLUG}")
    steps_before = len(service.draft(SLUG)["steps"])
    box = page.locator("#opnemen")
    box.get_by_text("Stappen opnemen", exact=True).click()
    expect(box.get_by_label("Scherm", exact=True)).to_have_value(f"{service.url}/demo/verhuizing")
    with page.expect_popup() as opened:
        box.get_by_role("button", name="Opnemen beginnen").click()
    screen = opened.value
    bar = screen.locator("epss-overlay .pk-bar")
    expect(bar).to_contain_text("Opnemen voor Verhuizing doorgeven (adreswijziging): doe de taak.")
    said = box.locator("[data-pick-said]")
    expect(said).to_have_text("Doe in het andere venster de taak; elke stap verschijnt hieronder.")
    screen.get_by_label("Postcode").fill("9999 ZZ")
    screen.get_by_label("Postcode").fill("9999 ZX")  # typed on: still one step
    screen.get_by_label("Huisnummer").fill("12")
    screen.get_by_role("button", name="Tussentijds opslaan").click()  # the page loads anew
    expect(bar).to_contain_text("Opnemen voor")  # the new page's overlay records on
    screen.get_by_label("Verhuisdatum").fill("01-04-2026")
    expect(bar).to_contain_text("Opgenomen: Verhuisdatum")
    screen.screenshot(path=service.shots / "record-screen.png", caret="initial")
    with screen.expect_event("close"):
        bar.get_by_role("button", name="Klaar (Esc)").click()
    recorded = box.locator("[data-pick-recorded] li")
    expect(recorded).to_have_text(
        [
            "Vul ‘Postcode’ in",
            "Vul ‘Huisnummer’ in",
            "Klik op ‘Tussentijds opslaan’",
            "Vul ‘Verhuisdatum’ in",
        ]
    )
    expect(said).to_have_text(
        "Opnemen gestopt. Vink uit wat geen stap moet worden en voeg de stappen toe."
    )
    expect(box.get_by_label("Vul ‘Postcode’ in")).to_be_focused()
    # (caret="initial": hiding the caret injects a style sheet, which the page's
    # Content-Security-Policy refuses.)
    box.screenshot(path=service.shots / "record-editor.png", caret="initial")
    assert axe_findings(page) == []
    # Nothing ticked: refused, and the list is kept to tick again.
    console.allow("status of 422")
    for item in box.get_by_role("checkbox").all():
        item.uncheck()
    box.get_by_role("button", name="Aangevinkte stappen toevoegen").click()
    expect(page.locator("#stappen")).to_contain_text("Er is geen opgenomen stap gekozen")
    expect(recorded).to_have_count(4)
    for item in box.get_by_role("checkbox").all():
        item.check()
    box.get_by_label("Klik op ‘Tussentijds opslaan’").uncheck()
    box.get_by_role("button", name="Aangevinkte stappen toevoegen").click()
    expect(page.locator("#stappen .step-list > li")).to_have_count(steps_before + 3)
    expect(recorded).to_have_count(0)
    steps = service.draft(SLUG)["steps"][steps_before:]
    assert [s["title"] for s in steps] == [
        "Vul ‘Postcode’ in",
        "Vul ‘Huisnummer’ in",
        "Vul ‘Verhuisdatum’ in",
    ]
    assert [s["target"] for s in steps] == [["#postcode"], ["#huisnummer"], ["#verhuisdatum"]]
    assert steps[2]["target_fingerprint"]["label"] == "Verhuisdatum"
    stored = str(steps)
    assert "9999" not in stored and "01-04-2026" not in stored  # what was typed is not kept


def test_in_a_frame_of_the_screen_a_field_is_pointed_at_and_steps_are_recorded(
    page: Page, setup
) -> None:
    """A form in a same-origin frame of the case system: its field is pointed at, and what
    is done in it is recorded (a frame's events do not reach the page around it)."""
    service, case = setup
    item = _step_form(page, service)
    item.get_by_label("Scherm", exact=True).fill(f"{case.url}/omlijst")
    with page.expect_popup() as opened:
        item.get_by_role("button", name="Veld aanwijzen").click()
    screen = opened.value
    expect(screen.locator("epss-overlay .pk-bar")).to_be_visible()
    field = screen.frame_locator("iframe").get_by_label("Rekeningnummer (IBAN)")
    field.hover()
    expect(screen.locator("epss-overlay .pk-ring")).to_be_visible()
    with screen.expect_event("close"):
        field.click()
    expect(item.locator("[data-pick-said]")).to_have_text(
        "Aangewezen: ‘Rekeningnummer (IBAN)’. Sla de stap op om het te bewaren."
    )
    expect(item.locator("textarea[name=doelveld]")).to_have_value("#r-1")

    box = page.locator("#opnemen")
    box.get_by_text("Stappen opnemen", exact=True).click()
    box.get_by_label("Scherm", exact=True).fill(f"{case.url}/omlijst")
    with page.expect_popup() as opened:
        box.get_by_role("button", name="Opnemen beginnen").click()
    screen = opened.value
    expect(screen.locator("epss-overlay .pk-bar")).to_contain_text("Opnemen voor")
    frame = screen.frame_locator("iframe")
    # The bar lies over the top of the frame: the expert moves it down, out of the way.
    screen.locator("epss-overlay .pk-bar").get_by_role("button", name="Balk naar beneden").click()
    expect(screen.locator("epss-overlay .pk-bar")).to_have_class("pk-bar pk-bar--below")
    frame.get_by_label("Rekeningnummer (IBAN)").fill("NL91ABNA0417164300")
    frame.get_by_role("button", name="Controleren").click()
    expect(box.locator("[data-pick-recorded] li")).to_have_text(
        ["Vul ‘Rekeningnummer (IBAN)’ in", "Klik op ‘Controleren’"]
    )
    screen.close()
