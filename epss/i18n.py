"""Interface language: Dutch first, English available.

Texts are written in Dutch in the templates and code; `translator("en")` maps them to
English. A text without a translation stays Dutch, so a missing entry shows, never breaks.
Besides the texts below, each part of the interface keeps its own in `locale/en/*.yaml`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from starlette.requests import Request

from epss.moments import moment_with_zone
from epss.resources import read_yaml

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
COOKIE = "epss_lang"

ENGLISH = {
    "Werkinstructies": "Work instructions",
    "werkinstructies voor de balie": "work instructions for the desk",
    "Naar de inhoud": "Skip to content",
    "Hoofdmenu": "Main menu",
    "Taken": "Tasks",
    "Zoeken": "Search",
    "Begrippen": "Glossary",
    "Wat de woorden en afkortingen aan de balie betekenen.": "What the words and abbreviations at the desk mean.",
    "Werkinstructies kritieke taken": "Work instructions for critical tasks",
    "De stappen die de beste medewerkers zetten, met de norm, de reden en wat te doen bij "
    "twijfel. In de zaaksysteemschermen verschijnen ze vanzelf in het hulppaneel.": "The steps the best performers take, with the standard, the reason and what to do "
    "when in doubt. In the case software they appear by themselves in the help panel.",
    "Zoek in de werkinstructies": "Search the work instructions",
    "bijvoorbeeld: vingerafdrukken, naamskeuze, adreswijziging": "for example: vingerafdrukken, naamskeuze, adreswijziging",
    "Alle taken": "All tasks",
    "Eigenaar": "Owner",
    "Controle vóór": "Review by",
    "Versie": "Version",
    "Er zijn nog geen gepubliceerde taken. Importeer ze met": "There are no published tasks yet. Import them with",
    "Demo": "Demo",
    "Open het demo-zaaksysteem van Gemeente Dijkhaven": "Open the demo case software of Gemeente Dijkhaven",
    "resultaten voor": "results for",
    "stap in:": "step in:",
    "taak": "task",
    "Niets gevonden voor": "Nothing found for",
    "Probeer een ander woord, of kies een taak uit de lijst.": "Try another word, or pick a task from the list.",
    "U bekijkt versie": "You are viewing version",
    "De nieuwste is": "The newest is",
    "versie": "version",
    "Doel": "Goal",
    "Wanneer": "When",
    "Norm": "Standard",
    "Stappen": "Steps",
    "Verplicht": "Mandatory",
    "Advies": "Advice",
    "Waarom": "Why",
    "Let op": "Watch out",
    "Goed gedaan als": "Done right when",
    "Als": "If",
    "ga naar stap": "go to step",
    "ga naar taak": "go to task",
    "Bron:": "Source:",
    "Verantwoording": "Accountability",
    "gepubliceerd": "published",
    "door": "by",
    "Inhoudshash": "Content hash",
    "Bronnen": "Sources",
    "Kritiek": "Critical",
    "Hoog": "High",
    "Normaal": "Normal",
    "Technische melding:": "Technical message:",
    "Terug naar de taken": "Back to the tasks",
    "Niet gevonden": "Not found",
    "Deze taak of pagina bestaat niet (meer). Kies een taak uit de lijst.": "This task or page does not exist (any more). Pick a task from the list.",
    "Ongeldige invoer": "Invalid input",
    "Het verzoek klopt niet. Controleer wat u invulde.": "The request is not valid. Check what you entered.",
    "Tijdelijk niet beschikbaar": "Temporarily unavailable",
    "De dienst is even niet bereikbaar. Probeer het zo weer.": "The service cannot be reached right now. Try again shortly.",
    "Er ging iets mis": "Something went wrong",
    "Probeer het opnieuw.": "Please try again.",
    # /overlay/bookmarklet: the three ways into a host application
    "Hulppaneel in het zaaksysteem": "Help panel in the case software",
    "Er zijn drie manieren om het hulppaneel in een zaaksysteem te krijgen. Kies er één per "
    "zaaksysteem.": "There are three ways to get the help panel into case software. Choose one per "
    "application.",
    "Bladwijzer": "Bookmarklet",
    "voor een pilot, zonder hulp van IT of de leverancier.": "for a pilot, without help from IT or the supplier.",
    "Scripttag": "Script tag",
    "de leverancier of beheerder neemt één regel op in het zaaksysteem.": "the supplier or administrator adds one line to the case software.",
    "Browserextensie": "Browser extension",
    "IT rolt haar met een browserbeleid uit naar alle werkplekken.": "IT rolls it out to every workstation with a browser policy.",
    "Bladwijzer voor pilots": "Bookmarklet for pilots",
    "Sleep de knop van uw zaaksysteem naar de bladwijzerbalk van uw browser.": "Drag the button of your case software to your browser's bookmarks bar.",
    "Open het zaaksysteem en klik daar op de bladwijzer: het hulppaneel verschijnt.": "Open the case software and click the bookmark there: the help panel appears.",
    "Op deze pagina zelf doet klikken op de knop niets; alleen slepen werkt hier.": "Clicking the button on this page does nothing; here it only works by dragging.",
    "Een bladwijzer werkt niet in een zaaksysteem met een strikte Content-Security-Policy "
    "die deze dienst niet toelaat: de browser weigert dan het script. Gebruik daar de "
    "browserextensie, of laat de leverancier de scripttag en de regels hieronder opnemen.": "A bookmarklet does not work in case software with a strict Content-Security-Policy "
    "that does not allow this service: the browser refuses the script. Use the browser "
    "extension there, or have the supplier add the script tag and the lines below.",
    "Id van de hostapplicatie:": "Id of the host application:",
    "← sleep deze knop naar uw bladwijzerbalk": "← drag this button to your bookmarks bar",
    "Code van de bladwijzer (om zelf een bladwijzer te maken)": "Code of the bookmarklet (to create the bookmark yourself)",
    "Het paneel mag de dienst aanroepen vanaf:": "The panel may call the service from:",
    "Voor deze hostapplicatie is nog geen herkomst (origin) geregistreerd. Zonder die "
    "registratie weigert de dienst de vragen van het paneel; zie hieronder.": "No origin has been registered for this host application yet. Without it the "
    "service refuses the panel's requests; see below.",
    "Zonder versie (de browser vraagt bij elk gebruik of er een nieuwe is):": "Without a version (the browser checks for a new one each time):",
    "Er zijn nog geen hostapplicaties geregistreerd. Een beheerder voegt ze toe onder "
    "Beheer, Hostapplicaties; ook het importeren van taken met contextregels voor een "
    "zaaksysteem maakt er een.": "No host applications have been registered yet. An administrator adds them under "
    "Administration, Host applications; importing tasks with context rules for an "
    "application creates one too.",
    "Scripttag voor de leverancier": "Script tag for the supplier",
    "Neem de scripttag van het zaaksysteem op in elke pagina, vlak voor": "Add the script tag of the application to every page, just before",
    "Met versie in de URL mag de browser het script een jaar bewaren; de leverancier past de "
    "tag dan aan bij elke nieuwe versie van EPSS. Zonder versie krijgt elke werkplek een "
    "nieuwe versie meteen.": "With the version in the URL the browser may keep the script for a year; the "
    "supplier then updates the tag for every new version of EPSS. Without the version "
    "every workstation gets a new version at once.",
    "Huidige versie:": "Current version:",
    "Het zaaksysteem mag de medewerker en het team als hint meegeven; EPSS bewaart de "
    "medewerker alleen als pseudoniem:": "The case software may pass the employee and the team as hints; EPSS stores the "
    "employee only as a pseudonym:",
    "Content-Security-Policy van het zaaksysteem": "Content-Security-Policy of the case software",
    "Heeft het zaaksysteem een Content-Security-Policy, voeg dan deze dienst toe aan de "
    "bestaande regels:": "If the case software has a Content-Security-Policy, add this service to its "
    "existing directives:",
    "Herkomst registreren": "Register the origin",
    "De dienst beantwoordt alleen vragen van bekende herkomsten (CORS). Registreer het adres "
    "van het zaaksysteem, zoals": "The service only answers requests from known origins (CORS). Register the address "
    "of the case software, such as",
    "bij de hostapplicatie (een beheerder doet dat onder Beheer, Hostapplicaties; binnen "
    "enkele seconden geldig, zonder herstart), of zet het in de instelling": "with the host application (an administrator does so under Administration, Host "
    "applications; in force within seconds, without a restart), or put it in the setting",
    "De extensie voegt het hulppaneel toe aan de zaaksystemen die IT instelt, ook als hun "
    "Content-Security-Policy een bladwijzer tegenhoudt. Maak haar met": "The extension adds the help panel to the applications IT configures, even where "
    "their Content-Security-Policy stops a bookmarklet. Build it with",
    "en rol haar uit met een browserbeleid; de uitleg en een voorbeeldbeleid staan in": "and roll it out with a browser policy; the explanation and an example policy are in",
    "Deze dienst is:": "This service is:",
    "Hulppaneel in uw zaaksysteem: bladwijzer, scripttag en browserextensie": "Help panel in your case software: bookmarklet, script tag and browser extension",
    "Hulp naast een zaaksysteem dat geen webpagina is (Citrix, een programma op de pc)": "Help beside case software that is not a web page (Citrix, a desktop program)",
    "Hulp naast het werk": "Help beside the work",
    "Bij het veld": "At the field",
    "Het hulppaneel controleert wat er getypt wordt:": "The help panel checks what is typed:",
    "Voor werk in een zaaksysteem dat geen webpagina is, zoals Citrix of een programma op de pc: kies de taak, en de stappen staan ernaast.": "For work in case software that is not a web page, such as Citrix or a desktop program: choose the task, and its steps stand beside it.",
    "Die taak bestaat niet (meer). Kies hieronder een taak.": "That task does not exist (any more). Choose a task below.",
    "Bij zaaktype {z} hoort geen taak. Kies hieronder een taak.": "No task belongs to zaaktype {z}. Choose a task below.",
    "Taken bij zaaktype {z}": "Tasks for zaaktype {z}",
    "Zaaknummer (mag leeg blijven)": "Case number (may stay empty)",
    "Met een zaaknummer onthoudt het paneel de vinkjes per zaak, alleen in deze browser; zonder geldt het voor dit bezoek.": "With a case number the panel keeps the ticks per case, only in this browser; without one they last this visit.",
    "Toon de stappen": "Show the steps",
    "Een programma kan deze pagina ook openen met de taak of het zaaktype in het adres:": "A program can also open this page with the task or the zaaktype in its address:",
}

for _part in sorted((Path(__file__).parent / "locale" / "en").glob("*.yaml")):
    ENGLISH.update(read_yaml(_part) or {})

_CATALOGS = {"nl": {}, "en": ENGLISH}


def translator(language: str) -> Callable[[str], str]:
    catalog = _CATALOGS.get(language, {})
    return lambda text: catalog.get(text, text)


class Words:
    """A piece of a message that is itself translated: as a parameter of an `EpssError`
    or a task-file problem it is put in the message's language (see `in_language`)."""

    def in_language(self, translate: Callable[[str], str]) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.in_language(lambda text: text)


class Message(Words):
    """A message with its parameters, put in a language when it is shown."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template, self.params = template, params

    def in_language(self, translate: Callable[[str], str]) -> str:
        return fill(self.template, self.params, translate)


class Phrase(Words):
    """Interface text used as a parameter: translated with the message around it."""

    def __init__(self, text: str) -> None:
        self.text = text

    def in_language(self, translate: Callable[[str], str]) -> str:
        return translate(self.text)


class Count(Words):
    """A number with its noun in the right form: 1 dag, 3 dagen (never "dag(en)")."""

    def __init__(self, count: int, one: str, many: str) -> None:
        self.count, self.one, self.many = count, one, many

    def in_language(self, translate: Callable[[str], str]) -> str:
        return f"{self.count} {translate(self.one if self.count == 1 else self.many)}"


class Moment(Words):
    """A moment as people read it: in Dutch time, with the zone named
    (`epss.moments.moment_with_zone`)."""

    def __init__(self, value: dt.datetime | None) -> None:
        self.value = value

    def in_language(self, translate: Callable[[str], str]) -> str:
        return moment_with_zone(self.value, translate)


class Listing(Words):
    """Words joined as people write them: "a, b en c" ("a, b and c"); `word` is the last
    joiner ("en" or "of"), translated with the rest; without it every item is joined with
    `separator`. An item is interface text or `Words`."""

    def __init__(
        self, items: Iterable[str | Words], word: str | None = None, separator: str = "; "
    ) -> None:
        self.items, self.word, self.separator = list(items), word, separator

    def in_language(self, translate: Callable[[str], str]) -> str:
        items = [
            item.in_language(translate) if isinstance(item, Words) else translate(item)
            for item in self.items
        ]
        if self.word is None or len(items) < 2:
            return self.separator.join(items)
        return f"{', '.join(items[:-1])} {translate(self.word)} {items[-1]}"


def and_list(items: Iterable[str | Words]) -> Listing:
    return Listing(items, "en")


def or_list(items: Iterable[str | Words]) -> Listing:
    return Listing(items, "of")


def count(number: int, one: str, many: str) -> Count:
    """`Count`: 1 probleem, 2 problemen."""
    return Count(number, one, many)


def fill(template: str, params: Mapping[str, Any], translate: Callable[[str], str]) -> str:
    """`template` in a language, with its parameters; `Words` among them are translated."""
    text = translate(template)
    return (
        text.format(
            **{
                k: v.in_language(translate) if isinstance(v, Words) else v
                for k, v in params.items()
            }
        )
        if params
        else text
    )


def translator_for(request: Request) -> Callable[[str], str]:
    """The translator of the language this person reads the pages in."""
    return translator(language_of(request))


def language_of(request: Request) -> str:
    """?lang= if given, then the cookie it sets; otherwise Dutch. The browser's language is
    not used: many municipal workstations run English browsers for Dutch-speaking staff."""
    for choice in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if choice in LANGUAGES:
            return choice
    return DEFAULT
