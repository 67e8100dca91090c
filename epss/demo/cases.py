"""Fictional data of the demo case software of "Gemeente Dijkhaven".

Everything here is made up. The BSNs are from the range 999990000-999999999 that is
reserved for testing and pass the eleven-test; names and addresses are invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def datum(value: dt.date) -> str:
    """A date the way the desk writes it: 17-03-2026."""
    return value.strftime("%d-%m-%Y")


def datum_lang(value: dt.date) -> str:
    """A date in words: 17 maart 2026."""
    return f"{value.day} {_MAANDEN[value.month - 1]} {value.year}"


def leeftijd(geboren: dt.date, op: dt.date) -> int:
    """Age in whole years on a given day."""
    return op.year - geboren.year - ((op.month, op.day) < (geboren.month, geboren.day))


@dataclass(frozen=True)
class Zaaktype:
    identificatie: str
    omschrijving: str
    categorie: str
    doorlooptijd: str


@dataclass(frozen=True)
class Persoon:
    voornamen: str
    voorvoegsel: str
    geslachtsnaam: str
    bsn: str
    geboortedatum: dt.date
    geboorteplaats: str
    geslacht: str
    nationaliteit: str
    straat: str
    postcode: str
    woonplaats: str

    @property
    def initialen(self) -> str:
        return "".join(f"{deel[0]}." for deel in self.voornamen.split())

    @property
    def achternaam(self) -> str:
        return f"{self.voorvoegsel} {self.geslachtsnaam}".strip()

    @property
    def naam(self) -> str:
        """Short name as in lists: J.M. de Vries."""
        return f"{self.initialen} {self.achternaam}"

    @property
    def volledige_naam(self) -> str:
        return f"{self.voornamen} {self.achternaam}"

    @property
    def adres(self) -> str:
        return f"{self.straat}, {self.postcode} {self.woonplaats}"


@dataclass(frozen=True)
class Gebeurtenis:
    moment: str
    omschrijving: str
    door: str


@dataclass(frozen=True)
class Zaak:
    zaaknummer: str
    zaaktype: Zaaktype
    scherm: str
    aanvrager: Persoon
    status: str
    status_soort: str
    registratiedatum: dt.date
    streefdatum: dt.date
    behandelaar: str
    kanaal: str
    omschrijving: str
    historie: tuple[Gebeurtenis, ...]
    documenten: tuple[str, ...]

    @property
    def eigen_scherm(self) -> str:
        """Its task screen: the screen's own path for the first case of its zaaktype, with
        `?zaak=` for another one (the desk takes citizens one after the other)."""
        first = zaak_van_type(self.zaaktype.identificatie)
        return self.scherm if first is self else f"{self.scherm}?zaak={self.zaaknummer}"


@dataclass(frozen=True)
class Scherm:
    path: str
    title: str
    groep: str
    zaaktype: str | None


APP_ID = "demo-zaaksysteem"
APP_NAME = "Zaaksysteem Gemeente Dijkhaven (demo)"
# Each screen's primary button finishes its case ("Aanvraag afronden", "Akte opmaken", …).
FINISH_BUTTONS = ["button.knop--primair[name=actie]"]

VANDAAG = dt.date(2026, 3, 17)
MEDEWERKER = "R. Visser"
INLOGNAAM = "rvisser"  # what the case software knows the employee by; given to the overlay
TEAM = "Burgerzaken Stadswinkel"
BALIE = "Stadswinkel Dijkhaven, balie 3"

ZAAKTYPEN: dict[str, Zaaktype] = {
    z.identificatie: z
    for z in (
        Zaaktype("BZ-REISDOC-AANVR", "Aanvraag reisdocument", "Reisdocumenten", "5 werkdagen"),
        Zaaktype("BZ-REISDOC-UITR", "Uitreiking reisdocument", "Reisdocumenten", "1 dag"),
        Zaaktype("BZ-GEBOORTE", "Aangifte geboorte", "Burgerlijke stand", "1 dag"),
        Zaaktype("BZ-VERHUIZING", "Verhuizing binnen Nederland", "BRP", "5 werkdagen"),
        Zaaktype("BZ-RIJBEWIJS", "Aanvraag rijbewijs", "Rijbewijzen", "5 werkdagen"),
        Zaaktype(
            "BZ-VERMISSING", "Vermissing reisdocument of rijbewijs", "Reisdocumenten", "1 dag"
        ),
        Zaaktype(
            "BZ-EERSTE-INSCHR", "Eerste inschrijving uit het buitenland", "BRP", "5 werkdagen"
        ),
        Zaaktype("BZ-ADRESONDERZOEK", "Adresonderzoek en briefadres", "BRP", "8 weken"),
        Zaaktype("BZ-OVERLIJDEN", "Aangifte overlijden", "Burgerlijke stand", "1 dag"),
        Zaaktype(
            "BZ-HUWELIJK",
            "Melding voorgenomen huwelijk of partnerschap",
            "Burgerlijke stand",
            "4 weken",
        ),
        Zaaktype("BZ-ERKENNING", "Erkenning en naamskeuze", "Burgerlijke stand", "1 dag"),
    )
}

SCHERMEN: tuple[Scherm, ...] = (
    Scherm("/demo/", "Werkvoorraad", "", None),
    Scherm(
        "/demo/reisdocument/aanvraag", "Aanvraag reisdocument", "Reisdocumenten", "BZ-REISDOC-AANVR"
    ),
    Scherm(
        "/demo/reisdocument/uitreiking",
        "Uitreiking reisdocument",
        "Reisdocumenten",
        "BZ-REISDOC-UITR",
    ),
    Scherm("/demo/vermissing", "Vermissing melden", "Reisdocumenten", "BZ-VERMISSING"),
    Scherm("/demo/geboorte/aangifte", "Aangifte geboorte", "Burgerlijke stand", "BZ-GEBOORTE"),
    Scherm("/demo/verhuizing", "Verhuizing doorgeven", "BRP", "BZ-VERHUIZING"),
    Scherm("/demo/inschrijving", "Eerste inschrijving", "BRP", "BZ-EERSTE-INSCHR"),
    Scherm("/demo/adresonderzoek", "Adresonderzoek en briefadres", "BRP", "BZ-ADRESONDERZOEK"),
    Scherm("/demo/overlijden", "Aangifte overlijden", "Burgerlijke stand", "BZ-OVERLIJDEN"),
    Scherm(
        "/demo/huwelijk",
        "Melding voorgenomen huwelijk of partnerschap",
        "Burgerlijke stand",
        "BZ-HUWELIJK",
    ),
    Scherm("/demo/erkenning", "Erkenning en naamskeuze", "Burgerlijke stand", "BZ-ERKENNING"),
    Scherm("/demo/rijbewijs/aanvraag", "Aanvraag rijbewijs", "Rijbewijzen", "BZ-RIJBEWIJS"),
)

DE_VRIES = Persoon(
    voornamen="Johanna Maria",
    voorvoegsel="de",
    geslachtsnaam="Vries",
    bsn="999993653",
    geboortedatum=dt.date(1987, 5, 12),
    geboorteplaats="Dijkhaven",
    geslacht="Vrouw",
    nationaliteit="Nederlandse",
    straat="Kadedijk 14",
    postcode="4871 KD",
    woonplaats="Dijkhaven",
)

HOEKSTRA = Persoon(
    voornamen="Samira",
    voorvoegsel="",
    geslachtsnaam="Hoekstra",
    bsn="999990263",
    geboortedatum=dt.date(1995, 11, 23),
    geboorteplaats="Rotterdam",
    geslacht="Vrouw",
    nationaliteit="Nederlandse",
    straat="Havenweg 3",
    postcode="4871 HW",
    woonplaats="Dijkhaven",
)

JANSEN = Persoon(
    voornamen="Pieter Willem",
    voorvoegsel="",
    geslachtsnaam="Jansen",
    bsn="999992661",
    geboortedatum=dt.date(1974, 9, 3),
    geboorteplaats="Utrecht",
    geslacht="Man",
    nationaliteit="Nederlandse",
    straat="Sluiswachtersweg 7",
    postcode="4872 SW",
    woonplaats="Dijkhaven",
)

MULDER = Persoon(
    voornamen="Thomas Jan",
    voorvoegsel="",
    geslachtsnaam="Mulder",
    bsn="999993422",
    geboortedatum=dt.date(1993, 1, 28),
    geboorteplaats="Dijkhaven",
    geslacht="Man",
    nationaliteit="Nederlandse",
    straat="Polderkade 31",
    postcode="4873 PK",
    woonplaats="Dijkhaven",
)

SMIT = Persoon(
    voornamen="Lisa Marieke",
    voorvoegsel="",
    geslachtsnaam="Smit",
    bsn="999991152",
    geboortedatum=dt.date(1995, 7, 19),
    geboorteplaats="Rotterdam",
    geslacht="Vrouw",
    nationaliteit="Nederlandse",
    straat="Polderkade 31",
    postcode="4873 PK",
    woonplaats="Dijkhaven",
)

YILMAZ = Persoon(
    voornamen="Emre",
    voorvoegsel="",
    geslachtsnaam="Yilmaz",
    bsn="999998122",
    geboortedatum=dt.date(1990, 11, 6),
    geboorteplaats="Arnhem",
    geslacht="Man",
    nationaliteit="Nederlandse",
    straat="Lindelaan 22",
    postcode="6811 LK",
    woonplaats="Arnhem",
)

YILMAZ_PARTNER = Persoon(
    voornamen="Selin",
    voorvoegsel="",
    geslachtsnaam="Yilmaz-Kaya",
    bsn="999994463",
    geboortedatum=dt.date(1992, 2, 14),
    geboorteplaats="Arnhem",
    geslacht="Vrouw",
    nationaliteit="Nederlandse",
    straat="Lindelaan 22",
    postcode="6811 LK",
    woonplaats="Arnhem",
)

YILMAZ_KIND = Persoon(
    voornamen="Deniz",
    voorvoegsel="",
    geslachtsnaam="Yilmaz",
    bsn="999995406",
    geboortedatum=dt.date(2019, 6, 30),
    geboorteplaats="Arnhem",
    geslacht="Vrouw",
    nationaliteit="Nederlandse",
    straat="Lindelaan 22",
    postcode="6811 LK",
    woonplaats="Arnhem",
)

VAN_DEN_BERG = Persoon(
    voornamen="Hendrik",
    voorvoegsel="van den",
    geslachtsnaam="Berg",
    bsn="999991747",
    geboortedatum=dt.date(1950, 4, 2),
    geboorteplaats="Dijkhaven",
    geslacht="Man",
    nationaliteit="Nederlandse",
    straat="Molenstraat 5",
    postcode="4871 MS",
    woonplaats="Dijkhaven",
)

BROUWER = Persoon(
    voornamen="Anouk",
    voorvoegsel="",
    geslachtsnaam="Brouwer",
    bsn="999990548",
    geboortedatum=dt.date(1998, 8, 21),
    geboorteplaats="Dijkhaven",
    geslacht="Vrouw",
    nationaliteit="Nederlandse",
    straat="Zeilmakerstraat 9",
    postcode="4872 ZM",
    woonplaats="Dijkhaven",
)

# Not in the BRP yet: the BSN follows from the registration.
PEREIRA = Persoon(
    voornamen="Ana Sofia",
    voorvoegsel="",
    geslachtsnaam="Pereira Costa",
    bsn="nog niet toegekend",
    geboortedatum=dt.date(1996, 2, 9),
    geboorteplaats="Porto (Portugal)",
    geslacht="Vrouw",
    nationaliteit="Portugese",
    straat="Havenweg 12",
    postcode="4871 HW",
    woonplaats="Dijkhaven",
)

# Adresonderzoek: an LAA signal about him, and he asks for a briefadres himself.
BAKKER = Persoon(
    voornamen="Kevin Johannes",
    voorvoegsel="",
    geslachtsnaam="Bakker",
    bsn="999990950",
    geboortedatum=dt.date(1989, 10, 4),
    geboorteplaats="Dijkhaven",
    geslacht="Man",
    nationaliteit="Nederlandse",
    straat="Dijkstraat 8",
    postcode="4871 DS",
    woonplaats="Dijkhaven",
)

# Aangifte overlijden: the daughter reports the death of her father.
DE_BOER = Persoon(
    voornamen="Ingrid Maria",
    voorvoegsel="de",
    geslachtsnaam="Boer",
    bsn="999991486",
    geboortedatum=dt.date(1966, 6, 11),
    geboorteplaats="Dijkhaven",
    geslacht="Vrouw",
    nationaliteit="Nederlandse",
    straat="Lange Haven 40",
    postcode="4871 LH",
    woonplaats="Dijkhaven",
)

OVERLEDENE = Persoon(
    voornamen="Gerrit Jan",
    voorvoegsel="de",
    geslachtsnaam="Boer",
    bsn="999992028",
    geboortedatum=dt.date(1938, 1, 23),
    geboorteplaats="Dijkhaven",
    geslacht="Man",
    nationaliteit="Nederlandse",
    straat="Zorgcentrum Havenzicht, Kloosterlaan 2",
    postcode="4872 KL",
    woonplaats="Dijkhaven",
)

OVERLIJDEN_DATUM = dt.date(2026, 3, 15)

# Melding voorgenomen huwelijk: a Dutch partner and a partner from outside the EU.
KOSTER = Persoon(
    voornamen="Daan Willem",
    voorvoegsel="",
    geslachtsnaam="Koster",
    bsn="999992181",
    geboortedatum=dt.date(1991, 4, 17),
    geboorteplaats="Dijkhaven",
    geslacht="Man",
    nationaliteit="Nederlandse",
    straat="Weverstraat 27",
    postcode="4872 WS",
    woonplaats="Dijkhaven",
)

EL_AMRANI = Persoon(
    voornamen="Fatima",
    voorvoegsel="",
    geslachtsnaam="El Amrani",
    bsn="999992363",
    geboortedatum=dt.date(1994, 12, 2),
    geboorteplaats="Tanger (Marokko)",
    geslacht="Vrouw",
    nationaliteit="Marokkaanse",
    straat="Weverstraat 27",
    postcode="4872 WS",
    woonplaats="Dijkhaven",
)

# Erkenning en naamskeuze: he recognises the unborn child of his partner.
DEKKER = Persoon(
    voornamen="Ruben",
    voorvoegsel="",
    geslachtsnaam="Dekker",
    bsn="999991929",
    geboortedatum=dt.date(1997, 3, 8),
    geboorteplaats="Leiden",
    geslacht="Man",
    nationaliteit="Nederlandse",
    straat="Bloemgracht 5",
    postcode="4873 BG",
    woonplaats="Dijkhaven",
)

MEIJER = Persoon(
    voornamen="Sophie Anne",
    voorvoegsel="",
    geslachtsnaam="Meijer",
    bsn="999995054",
    geboortedatum=dt.date(1998, 9, 25),
    geboorteplaats="Dijkhaven",
    geslacht="Vrouw",
    nationaliteit="Nederlandse",
    straat="Bloemgracht 5",
    postcode="4873 BG",
    woonplaats="Dijkhaven",
)

ERKENNING_UITGEREKEND = dt.date(2026, 6, 2)

GEBOORTE_KIND_DATUM = dt.date(2026, 3, 14)

ZAKEN: tuple[Zaak, ...] = (
    Zaak(
        zaaknummer="Z-2026-000101",
        zaaktype=ZAAKTYPEN["BZ-REISDOC-AANVR"],
        scherm="/demo/reisdocument/aanvraag",
        aanvrager=DE_VRIES,
        status="In behandeling",
        status_soort="actief",
        registratiedatum=VANDAAG,
        streefdatum=dt.date(2026, 3, 24),
        behandelaar=MEDEWERKER,
        kanaal="Balie (op afspraak)",
        omschrijving="Aanvraag paspoort, vorig paspoort verloopt op 02-04-2026.",
        historie=(
            Gebeurtenis("17-03-2026 10:31", "Zaak geregistreerd vanuit afspraak 10:30", "Systeem"),
            Gebeurtenis("17-03-2026 10:33", "Status gewijzigd naar In behandeling", MEDEWERKER),
            Gebeurtenis(
                "17-03-2026 10:42", "Aanvraagcontrole uitgevoerd: geen bijzonderheden", MEDEWERKER
            ),
        ),
        documenten=("Afspraakbevestiging.pdf", "Digitale pasfoto (fotomatrix 2020).jpg"),
    ),
    Zaak(
        zaaknummer="Z-2026-000102",
        zaaktype=ZAAKTYPEN["BZ-REISDOC-UITR"],
        scherm="/demo/reisdocument/uitreiking",
        aanvrager=JANSEN,
        status="Gereed voor uitreiking",
        status_soort="gereed",
        registratiedatum=dt.date(2026, 3, 10),
        streefdatum=dt.date(2026, 6, 10),
        behandelaar=MEDEWERKER,
        kanaal="Balie (op afspraak)",
        omschrijving="Uitreiking Nederlandse identiteitskaart, aangevraagd op 10-03-2026.",
        historie=(
            Gebeurtenis("10-03-2026 14:05", "Aanvraag identiteitskaart vastgelegd", "A. Kok"),
            Gebeurtenis("13-03-2026 09:12", "Document ontvangen van producent", "Backoffice"),
            Gebeurtenis(
                "13-03-2026 09:15", "Status gewijzigd naar Gereed voor uitreiking", "Backoffice"
            ),
        ),
        documenten=("Aanvraagformulier reisdocument (getekend).pdf", "Ontvangstbon.pdf"),
    ),
    Zaak(
        zaaknummer="Z-2026-000103",
        zaaktype=ZAAKTYPEN["BZ-GEBOORTE"],
        scherm="/demo/geboorte/aangifte",
        aanvrager=MULDER,
        status="Aangifte in behandeling",
        status_soort="actief",
        registratiedatum=VANDAAG,
        streefdatum=VANDAAG,
        behandelaar=MEDEWERKER,
        kanaal="Balie (zonder afspraak)",
        omschrijving="Aangifte geboorte kind van L.M. Smit, erkend vóór de geboorte.",
        historie=(
            Gebeurtenis("17-03-2026 09:02", "Zaak geregistreerd aan de balie", MEDEWERKER),
            Gebeurtenis(
                "17-03-2026 09:04", "Akte van erkenning ongeboren vrucht gevonden", MEDEWERKER
            ),
        ),
        documenten=("Geboortemelding verloskundige.pdf", "Akte van erkenning 2025-E-0412.pdf"),
    ),
    Zaak(
        zaaknummer="Z-2026-000104",
        zaaktype=ZAAKTYPEN["BZ-VERHUIZING"],
        scherm="/demo/verhuizing",
        aanvrager=YILMAZ,
        status="Wacht op beoordeling",
        status_soort="wacht",
        registratiedatum=dt.date(2026, 3, 12),
        streefdatum=dt.date(2026, 3, 19),
        behandelaar=MEDEWERKER,
        kanaal="Digitaal formulier (DigiD)",
        omschrijving="Verhuizing van Arnhem naar Dijkhaven, met partner en kind.",
        historie=(
            Gebeurtenis("12-03-2026 20:47", "Verhuizing doorgegeven via DigiD", "E. Yilmaz"),
            Gebeurtenis("13-03-2026 08:30", "Toegewezen aan werkvoorraad Burgerzaken", "Systeem"),
        ),
        documenten=("Huurovereenkomst Havenweg 3A.pdf",),
    ),
    Zaak(
        zaaknummer="Z-2026-000105",
        zaaktype=ZAAKTYPEN["BZ-RIJBEWIJS"],
        scherm="/demo/rijbewijs/aanvraag",
        aanvrager=VAN_DEN_BERG,
        status="Nieuw",
        status_soort="nieuw",
        registratiedatum=VANDAAG,
        streefdatum=dt.date(2026, 3, 24),
        behandelaar=MEDEWERKER,
        kanaal="Balie (op afspraak)",
        omschrijving="Verlenging rijbewijs, aanvrager is 75 jaar of ouder.",
        historie=(
            Gebeurtenis("17-03-2026 11:15", "Zaak geregistreerd vanuit afspraak 11:15", "Systeem"),
        ),
        documenten=("Afspraakbevestiging.pdf",),
    ),
    Zaak(
        zaaknummer="Z-2026-000106",
        zaaktype=ZAAKTYPEN["BZ-VERMISSING"],
        scherm="/demo/vermissing",
        aanvrager=BROUWER,
        status="In behandeling",
        status_soort="actief",
        registratiedatum=VANDAAG,
        streefdatum=VANDAAG,
        behandelaar=MEDEWERKER,
        kanaal="Balie (zonder afspraak)",
        omschrijving="Paspoort kwijt, vermoedelijk verloren op het station. Wil direct een nieuw.",
        historie=(Gebeurtenis("17-03-2026 13:20", "Zaak geregistreerd aan de balie", MEDEWERKER),),
        documenten=("Verklaring van vermissing (concept).pdf",),
    ),
    Zaak(
        zaaknummer="Z-2026-000107",
        zaaktype=ZAAKTYPEN["BZ-EERSTE-INSCHR"],
        scherm="/demo/inschrijving",
        aanvrager=PEREIRA,
        status="In behandeling",
        status_soort="actief",
        registratiedatum=VANDAAG,
        streefdatum=dt.date(2026, 3, 24),
        behandelaar=MEDEWERKER,
        kanaal="Balie (op afspraak)",
        omschrijving="Vestiging vanuit Portugal, werk in Dijkhaven met een contract van 2 jaar.",
        historie=(
            Gebeurtenis("17-03-2026 14:00", "Zaak geregistreerd vanuit afspraak 14:00", "Systeem"),
        ),
        documenten=(
            "Huurovereenkomst Havenweg 12.pdf",
            "Geboorteakte (meertalig EU-formulier).pdf",
        ),
    ),
    Zaak(
        zaaknummer="Z-2026-000108",
        zaaktype=ZAAKTYPEN["BZ-ADRESONDERZOEK"],
        scherm="/demo/adresonderzoek",
        aanvrager=BAKKER,
        status="Onderzoek loopt",
        status_soort="actief",
        registratiedatum=dt.date(2026, 3, 2),
        streefdatum=dt.date(2026, 4, 27),
        behandelaar=MEDEWERKER,
        kanaal="Signaal Landelijke Aanpak Adreskwaliteit",
        omschrijving=(
            "Signaal LAA: betrokkene woont vermoedelijk niet meer op Dijkstraat 8. "
            "Betrokkene vraagt aan de balie een briefadres aan."
        ),
        historie=(
            Gebeurtenis("02-03-2026 08:45", "Signaal ontvangen via de LAA", "Systeem"),
            Gebeurtenis("02-03-2026 10:12", "Gegevens in onderzoek gezet in de BRP", MEDEWERKER),
            Gebeurtenis("05-03-2026 14:30", "Huisbezoek: niet aangetroffen", "Handhaving"),
            Gebeurtenis("17-03-2026 15:05", "Betrokkene vraagt briefadres", MEDEWERKER),
        ),
        documenten=(
            "Signaal LAA 2026-0311.pdf",
            "Rapport huisbezoek 05-03-2026.pdf",
            "Verklaring briefadresgever (concept).pdf",
        ),
    ),
    Zaak(
        zaaknummer="Z-2026-000109",
        zaaktype=ZAAKTYPEN["BZ-OVERLIJDEN"],
        scherm="/demo/overlijden",
        aanvrager=DE_BOER,
        status="Aangifte in behandeling",
        status_soort="actief",
        registratiedatum=VANDAAG,
        streefdatum=VANDAAG,
        behandelaar=MEDEWERKER,
        kanaal="Balie (op afspraak)",
        omschrijving="Aangifte overlijden G.J. de Boer, overleden op 15-03-2026 in Dijkhaven.",
        historie=(
            Gebeurtenis("17-03-2026 09:30", "Zaak geregistreerd vanuit afspraak 09:30", "Systeem"),
        ),
        documenten=(
            "Verklaring van overlijden (A), behandelend arts.pdf",
            "Doodsoorzaakverklaring (B), gesloten envelop: niet scannen",
        ),
    ),
    Zaak(
        zaaknummer="Z-2026-000110",
        zaaktype=ZAAKTYPEN["BZ-HUWELIJK"],
        scherm="/demo/huwelijk",
        aanvrager=KOSTER,
        status="Melding in behandeling",
        status_soort="actief",
        registratiedatum=VANDAAG,
        streefdatum=dt.date(2026, 4, 14),
        behandelaar=MEDEWERKER,
        kanaal="Balie (op afspraak)",
        omschrijving=(
            "Melding voorgenomen huwelijk D.W. Koster en F. El Amrani, gewenste datum 19-06-2026."
        ),
        historie=(
            Gebeurtenis("17-03-2026 10:00", "Zaak geregistreerd vanuit afspraak 10:00", "Systeem"),
        ),
        documenten=(
            "Geboorteakte F. El Amrani (Marokko), gelegaliseerd.pdf",
            "Beëdigde vertaling geboorteakte.pdf",
            "Verklaring ongehuwd zijn (Marokko).pdf",
        ),
    ),
    Zaak(
        zaaknummer="Z-2026-000111",
        zaaktype=ZAAKTYPEN["BZ-ERKENNING"],
        scherm="/demo/erkenning",
        aanvrager=DEKKER,
        status="In behandeling",
        status_soort="actief",
        registratiedatum=VANDAAG,
        streefdatum=VANDAAG,
        behandelaar=MEDEWERKER,
        kanaal="Balie (op afspraak)",
        omschrijving="Erkenning ongeboren kind van S.A. Meijer, met keuze voor de achternaam.",
        historie=(
            Gebeurtenis("17-03-2026 11:45", "Zaak geregistreerd vanuit afspraak 11:45", "Systeem"),
        ),
        documenten=("Zwangerschapsverklaring verloskundige.pdf",),
    ),
    Zaak(
        zaaknummer="Z-2026-000112",
        zaaktype=ZAAKTYPEN["BZ-REISDOC-AANVR"],
        scherm="/demo/reisdocument/aanvraag",
        aanvrager=HOEKSTRA,
        status="In behandeling",
        status_soort="actief",
        registratiedatum=VANDAAG,
        streefdatum=dt.date(2026, 3, 24),
        behandelaar=MEDEWERKER,
        kanaal="Balie (op afspraak)",
        omschrijving="Aanvraag paspoort, het vorige is verlopen.",
        historie=(
            Gebeurtenis("17-03-2026 10:51", "Zaak geregistreerd vanuit afspraak 10:50", "Systeem"),
        ),
        documenten=("Afspraakbevestiging.pdf",),
    ),
)


def zaak(zaaknummer: str) -> Zaak | None:
    """The case with this number, or None."""
    return next((z for z in ZAKEN if z.zaaknummer == zaaknummer), None)


def zaak_van_type(identificatie: str) -> Zaak:
    """The first demo case of a zaaktype (its screen shows it unless asked for another)."""
    return next(z for z in ZAKEN if z.zaaktype.identificatie == identificatie)


def werkdagen_na(start: dt.date, dagen: int) -> dt.date:
    """The date `dagen` working days (Monday to Friday) after `start`."""
    dag = start
    while dagen > 0:
        dag += dt.timedelta(days=1)
        if dag.weekday() < 5:
            dagen -= 1
    return dag
