"""Interface language: Dutch first, English available.

Texts are written in Dutch in the templates and code; `translator("en")` maps them to
English. A text without a translation stays Dutch, so a missing entry shows, never breaks.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

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
    "Wat de woorden en afkortingen aan de balie betekenen.":
        "What the words and abbreviations at the desk mean.",
    "Werkinstructies kritieke taken": "Work instructions for critical tasks",
    "De stappen die de beste medewerkers zetten, met de norm, de reden en wat te doen bij "
    "twijfel. In de zaaksysteemschermen verschijnen ze vanzelf in het hulppaneel.":
        "The steps the best performers take, with the standard, the reason and what to do "
        "when in doubt. In the case software they appear by themselves in the help panel.",
    "Zoek in de werkinstructies": "Search the work instructions",
    "bijvoorbeeld: vingerafdrukken, naamskeuze, adreswijziging":
        "for example: vingerafdrukken, naamskeuze, adreswijziging",
    "Alle taken": "All tasks",
    "Eigenaar": "Owner",
    "Controle vóór": "Review by",
    "Versie": "Version",
    "Er zijn nog geen gepubliceerde taken. Importeer ze met":
        "There are no published tasks yet. Import them with",
    "Demo": "Demo",
    "Open het demo-zaaksysteem van Gemeente Dijkhaven":
        "Open the demo case software of Gemeente Dijkhaven",
    "resultaten voor": "results for",
    "stap in:": "step in:",
    "taak": "task",
    "Niets gevonden voor": "Nothing found for",
    "Probeer een ander woord, of kies een taak uit de lijst.":
        "Try another word, or pick a task from the list.",
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
    "Deze taak of pagina bestaat niet (meer). Kies een taak uit de lijst.":
        "This task or page does not exist (any more). Pick a task from the list.",
    "Ongeldige invoer": "Invalid input",
    "Het verzoek klopt niet. Controleer wat u invulde.":
        "The request is not valid. Check what you entered.",
    "Tijdelijk niet beschikbaar": "Temporarily unavailable",
    "De dienst is even niet bereikbaar. Probeer het zo weer.":
        "The service cannot be reached right now. Try again shortly.",
    "Er ging iets mis": "Something went wrong",
    "Probeer het opnieuw.": "Please try again.",
}

_CATALOGS = {"nl": {}, "en": ENGLISH}


def translator(language: str) -> Callable[[str], str]:
    catalog = _CATALOGS.get(language, {})
    return lambda text: catalog.get(text, text)


def language_of(request: Request) -> str:
    """?lang= if given, then the cookie it sets; otherwise Dutch. The browser's language is
    not used: many municipal workstations run English browsers for Dutch-speaking staff."""
    for choice in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if choice in LANGUAGES:
            return choice
    return DEFAULT
