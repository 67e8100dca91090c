"""The screens of the demo case software: which template, title and data a path shows.

One definition serves both variants: the server-rendered pages under /demo and the
single-page variant under /demo/app, whose shell carries every screen as a <template>.
Paths here are the server paths (/demo/...); the web layer turns them into links of the
variant at hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from epss.demo import cases

TITLE_SUFFIX = " — Zaaksysteem Gemeente Dijkhaven"
HOME = "/demo/"


@dataclass(frozen=True)
class Screen:
    path: str
    template: str
    title: str
    nav: str  # the navigation entry the screen belongs to
    context: dict[str, Any] = field(default_factory=dict)
    status_code: int = 200
    twijfel: bool = False  # shown in the "Twijfel melden" state
    zaak: str | None = None  # another case than the first of the screen's zaaktype

    @property
    def page_title(self) -> str:
        return self.title + TITLE_SUFFIX


def _task_screen(path: str, template: str, twijfel: bool = False, **context: Any) -> Screen:
    """One of the task screens, with the demo case of its zaaktype."""
    scherm = next(s for s in cases.SCHERMEN if s.path == path)
    assert scherm.zaaktype is not None
    zaak = cases.zaak_van_type(scherm.zaaktype)
    return Screen(
        path,
        template,
        scherm.title,
        path,
        {
            "scherm": scherm,
            "zaak": zaak,
            "persoon": zaak.aanvrager,
            "leeftijd": cases.leeftijd(zaak.aanvrager.geboortedatum, cases.VANDAAG),
            "twijfel": twijfel,
            **context,
        },
        twijfel=twijfel,
    )


def _werkvoorraad(twijfel: bool) -> Screen:
    return Screen(HOME, "werkvoorraad.html", "Werkvoorraad", HOME, {"zaken": cases.ZAKEN})


def _reisdocument_aanvraag(twijfel: bool) -> Screen:
    return _task_screen("/demo/reisdocument/aanvraag", "reisdocument_aanvraag.html", twijfel)


def _reisdocument_uitreiking(twijfel: bool) -> Screen:
    return _task_screen("/demo/reisdocument/uitreiking", "reisdocument_uitreiking.html", twijfel)


def _geboorte_aangifte(twijfel: bool) -> Screen:
    geboren = cases.GEBOORTE_KIND_DATUM
    return _task_screen(
        "/demo/geboorte/aangifte",
        "geboorte_aangifte.html",
        moeder=cases.SMIT,
        geboren=geboren,
        uiterlijk=cases.werkdagen_na(geboren, 3),
    )


def _verhuizing(twijfel: bool) -> Screen:
    meeverhuizers = [
        (persoon, relatie, cases.leeftijd(persoon.geboortedatum, cases.VANDAAG))
        for persoon, relatie in ((cases.YILMAZ_PARTNER, "Echtgenote"), (cases.YILMAZ_KIND, "Kind"))
    ]
    return _task_screen("/demo/verhuizing", "verhuizing.html", meeverhuizers=meeverhuizers)


def _rijbewijs_aanvraag(twijfel: bool) -> Screen:
    return _task_screen("/demo/rijbewijs/aanvraag", "rijbewijs_aanvraag.html")


def _vermissing(twijfel: bool) -> Screen:
    return _task_screen("/demo/vermissing", "vermissing.html")


def _eerste_inschrijving(twijfel: bool) -> Screen:
    return _task_screen("/demo/inschrijving", "eerste_inschrijving.html")


def _adresonderzoek(twijfel: bool) -> Screen:
    return _task_screen("/demo/adresonderzoek", "adresonderzoek.html")


def _overlijden(twijfel: bool) -> Screen:
    overleden = cases.OVERLIJDEN_DATUM
    return _task_screen(
        "/demo/overlijden",
        "overlijden.html",
        overledene=cases.OVERLEDENE,
        overleden=overleden,
        leeftijd_overledene=cases.leeftijd(cases.OVERLEDENE.geboortedatum, overleden),
        uiterlijk=cases.werkdagen_na(overleden, 6),
    )


def _huwelijk(twijfel: bool) -> Screen:
    partner = cases.EL_AMRANI
    return _task_screen(
        "/demo/huwelijk",
        "huwelijk.html",
        partner=partner,
        leeftijd_partner=cases.leeftijd(partner.geboortedatum, cases.VANDAAG),
    )


def _erkenning(twijfel: bool) -> Screen:
    moeder = cases.MEIJER
    return _task_screen(
        "/demo/erkenning",
        "erkenning.html",
        moeder=moeder,
        leeftijd_moeder=cases.leeftijd(moeder.geboortedatum, cases.VANDAAG),
        uitgerekend=cases.ERKENNING_UITGEREKEND,
    )


#: The screens of the navigation, by path; the function gets whether doubt was reported.
_SCREENS: dict[str, Callable[[bool], Screen]] = {
    HOME: _werkvoorraad,
    "/demo/reisdocument/aanvraag": _reisdocument_aanvraag,
    "/demo/reisdocument/uitreiking": _reisdocument_uitreiking,
    "/demo/vermissing": _vermissing,
    "/demo/geboorte/aangifte": _geboorte_aangifte,
    "/demo/verhuizing": _verhuizing,
    "/demo/inschrijving": _eerste_inschrijving,
    "/demo/adresonderzoek": _adresonderzoek,
    "/demo/overlijden": _overlijden,
    "/demo/huwelijk": _huwelijk,
    "/demo/erkenning": _erkenning,
    "/demo/rijbewijs/aanvraag": _rijbewijs_aanvraag,
}

NAVIGATION = tuple(_SCREENS)

#: The screens with a "Twijfel melden" button.
TWIJFEL_SCREENS = ("/demo/reisdocument/aanvraag", "/demo/reisdocument/uitreiking")

_ZAKEN = "/demo/zaken/"


def _niet_gevonden(zaaknummer: str) -> Screen:
    return Screen(
        _ZAKEN + zaaknummer,
        "niet_gevonden.html",
        "Zaak niet gevonden",
        HOME,
        {"zaaknummer": zaaknummer},
        status_code=404,
    )


def _zaak(zaaknummer: str) -> Screen:
    zaak = cases.zaak(zaaknummer)
    if zaak is None:
        return _niet_gevonden(zaaknummer)
    return Screen(
        _ZAKEN + zaaknummer,
        "zaak.html",
        f"Zaak {zaak.zaaknummer}",
        HOME,
        {
            "zaak": zaak,
            "scherm": next(s for s in cases.SCHERMEN if s.path == zaak.scherm),
            "leeftijd": cases.leeftijd(zaak.aanvrager.geboortedatum, cases.VANDAAG),
        },
    )


def _of_case(screen: Screen, zaaknummer: str) -> Screen:
    """A task screen showing another case of its zaaktype ("not found" for a case that is
    not one of this screen's)."""
    zaak = cases.zaak(zaaknummer)
    if zaak is None or zaak.scherm != screen.path:
        return _niet_gevonden(zaaknummer)
    if zaak is screen.context["zaak"]:
        return screen
    context = {
        **screen.context,
        "zaak": zaak,
        "persoon": zaak.aanvrager,
        "leeftijd": cases.leeftijd(zaak.aanvrager.geboortedatum, cases.VANDAAG),
    }
    return replace(screen, context=context, zaak=zaaknummer)


def find(path: str, twijfel: bool = False, zaak: str = "") -> Screen | None:
    """The screen at a server path (of the case `zaak` when given; a case page too, or its
    "not found" page), or None."""
    if path in _SCREENS:
        screen = _SCREENS[path](twijfel and path in TWIJFEL_SCREENS)
        return _of_case(screen, zaak) if zaak and "zaak" in screen.context else screen
    zaaknummer = path.removeprefix(_ZAKEN)
    if path.startswith(_ZAKEN) and zaaknummer and "/" not in zaaknummer:
        return _zaak(zaaknummer)
    return None


def every_screen() -> Iterator[Screen]:
    """Every screen and state the demo has: the navigation, doubt reported, the cases."""
    for path, build in _SCREENS.items():
        yield build(False)
        if path in TWIJFEL_SCREENS:
            yield build(True)
    for zaak in cases.ZAKEN:
        yield _zaak(zaak.zaaknummer)
        if zaak.eigen_scherm != zaak.scherm:  # a task screen showing another case
            yield _of_case(_SCREENS[zaak.scherm](False), zaak.zaaknummer)
