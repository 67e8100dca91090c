"""A generated catalog of realistic Dutch guidance for benchmarks.

Sentences and titles of the shipped tasks, recombined and varied with the products,
organisations and laws of many municipal domains; the same seed gives the same corpus.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass

from epss.resources import shipped
from epss.taskfile import TaskDocument, load_paths

APP = "bench-app"

PRODUCTS: dict[str, list[str]] = {
    "burgerzaken": [
        "uittreksel",
        "verklaring omtrent gedrag",
        "naturalisatie",
        "huwelijk",
        "geregistreerd partnerschap",
        "naamswijziging",
        "attestatie de vita",
        "briefadres",
        "overlijdensaangifte",
        "optieverklaring",
        "legalisatie van een handtekening",
        "nationaliteitsverklaring",
        "eerste inschrijving",
        "erkenning ongeboren vrucht",
    ],
    "parkeren": [
        "parkeervergunning",
        "bezoekersvergunning",
        "gehandicaptenparkeerkaart",
        "gehandicaptenparkeerplaats",
        "ontheffing milieuzone",
        "bedrijfsvergunning parkeren",
    ],
    "sociaal-domein": [
        "bijstand",
        "bijzondere bijstand",
        "WMO-maatwerkvoorziening",
        "huishoudelijke hulp",
        "scootmobiel",
        "woningaanpassing",
        "leerlingenvervoer",
        "schuldhulpverlening",
        "individuele inkomenstoeslag",
        "persoonsgebonden budget",
        "jeugdhulp",
        "beschermd wonen",
        "re-integratietraject",
        "Tozo-terugbetaling",
    ],
    "afval": [
        "afvalpas",
        "grofvuil",
        "minicontainer",
        "ondergrondse container",
        "afvalstoffenheffing",
        "bedrijfsafval",
    ],
    "vergunningen": [
        "kapvergunning",
        "evenementenvergunning",
        "omgevingsvergunning",
        "alcoholwetvergunning",
        "exploitatievergunning",
        "standplaatsvergunning",
        "terrasvergunning",
        "geluidsontheffing",
        "sloopmelding",
        "uitwegvergunning",
        "collectevergunning",
        "ligplaatsvergunning",
    ],
    "belastingen": [
        "kwijtschelding",
        "WOZ-bezwaar",
        "hondenbelasting",
        "toeristenbelasting",
        "rioolheffing",
        "onroerendezaakbelasting",
        "betalingsregeling",
    ],
    "openbare-ruimte": [
        "melding openbare ruimte",
        "boomonderhoud",
        "straatverlichting",
        "speeltoestel",
        "gladheidsbestrijding",
        "zwerfafval",
    ],
    "onderwijs": ["vrijstelling leerplicht", "extra verlof", "verzuimmelding", "VVE-indicatie"],
    "wonen": [
        "huisvestingsvergunning",
        "urgentieverklaring",
        "splitsingsvergunning",
        "onttrekkingsvergunning",
        "woonwagenstandplaats",
    ],
    "bestuur": [
        "bezwaarschrift",
        "klacht",
        "Woo-verzoek",
        "last onder dwangsom",
        "bestuurlijke boete",
        "ingebrekestelling",
    ],
}
ACTIONS = [
    "aanvragen",
    "verlengen",
    "wijzigen",
    "intrekken",
    "beoordelen",
    "registreren",
    "uitreiken",
    "afhandelen",
    "toetsen",
    "beëindigen",
    "herzien",
    "verstrekken",
]
QUALIFIERS = [
    "",
    "",
    "",
    "voor een minderjarige",
    "met spoed",
    "na bezwaar",
    "via een gemachtigde",
    "voor een bedrijf",
    "bij verhuizing",
    "voor iemand in het buitenland",
    "met een tolk",
    "na een fraudesignaal",
    "bij overlijden van de aanvrager",
    "onder curatele",
]
ORGANISATIONS = [
    "RvIG",
    "RDW",
    "CBR",
    "Justis",
    "IND",
    "UWV",
    "SVB",
    "CAK",
    "Belastingdienst",
    "Kadaster",
    "DUO",
    "de omgevingsdienst",
    "de veiligheidsregio",
    "de politie",
    "de GGD",
    "het Juridisch Loket",
    "het wijkteam",
    "de woningcorporatie",
    "de afvalinzamelaar",
    "de leerplichtambtenaar",
]
LAWS = [
    "Participatiewet",
    "Wet maatschappelijke ondersteuning 2015",
    "Omgevingswet",
    "Algemene Plaatselijke Verordening",
    "Wegenverkeerswet 1994",
    "Rijkswet op het Nederlanderschap",
    "Wet justitiële en strafvorderlijke gegevens",
    "Wet basisregistratie personen",
    "Alcoholwet",
    "Huisvestingswet 2014",
    "Leerplichtwet 1969",
    "Gemeentewet",
    "Algemene wet bestuursrecht",
    "Wet open overheid",
    "Jeugdwet",
    "Wet gemeentelijke schuldhulpverlening",
    "Invorderingswet 1990",
    "Wet waardering onroerende zaken",
    "Afvalstoffenverordening",
    "Bomenverordening",
]
FIELDS = [
    "Aanvrager",
    "Ingangsdatum",
    "Kenteken",
    "Adres",
    "Besluit",
    "Termijn",
    "Bewijsstukken",
    "Inkomen",
    "Zaaknummer",
    "Betaling",
    "Handtekening",
    "Machtiging",
    "Locatie",
    "Einddatum",
    "Bijlagen",
    "Advies",
    "Leges",
    "Vermogen",
    "Huishouden",
    "Contactpersoon",
    "Situatietekening",
    "Kadastraal perceel",
]
MUNICIPALITIES = [
    "Amsterdam",
    "Utrecht",
    "Zwolle",
    "Groningen",
    "Leeuwarden",
    "Hoorn",
    "Oost Gelre",
    "Smallingerland",
    "Rozendaal",
    "Eindhoven",
    "Tilburg",
    "Dordrecht",
    "Almere",
    "Apeldoorn",
    "Maastricht",
    "Enschede",
    "Haarlem",
    "Delft",
    "Leiden",
    "Nijmegen",
    "Arnhem",
    "Breda",
    "Deventer",
    "Alkmaar",
    "Zaanstad",
    "Emmen",
    "Venlo",
    "Helmond",
    "Assen",
    "Heerenveen",
]
TEMPLATES = [
    "Controleer of de aanvraag voor {product} voldoet aan de voorwaarden uit de {law}.",
    "Vraag bij {org} na of er al een lopende {product} is voor deze inwoner.",
    "Leg de beslissing vast bij **{field}** en noteer het zaaknummer.",
    "De beslistermijn is {n} weken; verdagen kan één keer, met een brief aan de aanvrager.",
    "Bereken de leges ({amount} euro in {year}) en laat eerst betalen voordat je verder gaat.",
    "In {municipality} geldt voor {product} een eigen beleidsregel; volg die als de "
    "aanvrager daar woont.",
    "Stuur bij twijfel een adviesvraag naar {org} en zet de zaak op wacht.",
    "Een onvolledige aanvraag voor {product} stel je pas buiten behandeling na een "
    "hersteltermijn van {n} weken.",
    "Vergelijk de gegevens met de BRP voordat je het besluit over {product} neemt.",
    "Bewaar de bewijsstukken {n} jaar, volgens de selectielijst van de gemeente.",
    "Deel geen gegevens over {product} met {org} zonder grondslag in de {law}.",
    "Bij {product} voor een minderjarige tekenen beide ouders met gezag.",
    "Kijk bij **{field}** of de gegevens overeenkomen met wat de inwoner heeft opgegeven.",
    "Is de inwoner het niet eens met het besluit? Wijs op de bezwaartermijn van zes weken.",
    "Noteer bij **{field}** welke documenten zijn gezien en door wie.",
]
STEP_TITLES = [
    "Controleer de {field_lower}",
    "Vraag advies aan {org}",
    "Bereken de leges voor {product}",
    "Leg het besluit over {product} vast",
    "Toets de aanvraag aan de {law}",
    "Controleer de bijlagen bij {product}",
    "Stuur de ontvangstbevestiging",
    "Plan de {product} in de agenda van {org}",
    "Beoordeel de {field_lower} van de aanvrager",
]
# Words of the shipped tasks that name their product or an organisation: replaced, most of
# the time, by the generated task's own products and organisations.
SUBJECT_WORDS = re.compile(
    r"\b(reisdocument(?:en)?|paspoort(?:en)?|identiteitskaart(?:en)?|rijbewijs|"
    r"geboorteakte|geboorte|verhuizing|aangifte)\b",
    re.IGNORECASE,
)
ORGANISATION_WORDS = re.compile(r"\b(RvIG|CBR|ID-desk|KMar|ECID|RDW)\b")
SUBSTITUTE_SHARE = 0.7


@dataclass(frozen=True)
class TextPools:
    """Sentences and titles of the shipped tasks, the raw material of the corpus."""

    titles: list[str]
    instruction: list[str]
    why: list[str]
    warning: list[str]
    check: list[str]
    branch_conditions: list[str]
    goals: list[str]
    triggers: list[str]


def sentences(text: str) -> list[str]:
    flat = re.sub(r"\s*\n\s*(?:- )?", " ", text).strip().removeprefix("- ")
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*])", flat) if 15 <= len(s) <= 280]


def shipped_pools() -> TextPools:
    documents = [task.document for task in load_paths([shipped("tasks")])]
    steps = [step for document in documents for step in document.steps]

    def pool(texts: list[str]) -> list[str]:
        return [s for text in texts for s in sentences(text)]

    return TextPools(
        titles=[s.title for s in steps],
        instruction=pool([s.instruction for s in steps]),
        why=pool([s.why for s in steps]),
        warning=pool([s.warning for s in steps]),
        check=pool([s.check for s in steps]),
        branch_conditions=[b.when for s in steps for b in s.branches],
        goals=pool([d.goal for d in documents]),
        triggers=pool([d.trigger for d in documents]),
    )


def slugify(text: str, max_length: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:max_length].rstrip("-")


# -- the corpus -------------------------------------------------------------------------


class CorpusWriter:
    """Builds task documents (as dicts) for one seed; the same seed, the same corpus."""

    def __init__(self, pools: TextPools, seed: int):
        self.pools = pools
        self.rng = random.Random(seed)
        self.products = [(domain, p) for domain, items in PRODUCTS.items() for p in items]

    def vary(self, sentence: str, products: list[str], orgs: list[str]) -> str:
        """The sentence with most product and organisation names swapped for the task's."""
        rng = self.rng

        def product(match: re.Match) -> str:
            if rng.random() > SUBSTITUTE_SHARE:
                return match.group(0)
            word = rng.choice(products)
            return word[0].upper() + word[1:] if match.group(0)[0].isupper() else word

        def org(match: re.Match) -> str:
            return rng.choice(orgs) if rng.random() < SUBSTITUTE_SHARE else match.group(0)

        return ORGANISATION_WORDS.sub(org, SUBJECT_WORDS.sub(product, sentence))

    def template(self, products: list[str], orgs: list[str], choices: list[str]) -> str:
        rng = self.rng
        field = rng.choice(FIELDS)
        text = rng.choice(choices).format(
            product=rng.choice(products),
            org=rng.choice(orgs),
            law=rng.choice(LAWS),
            field=field,
            field_lower=field.lower(),
            n=rng.randint(2, 12),
            amount=rng.randint(15, 450),
            year=rng.randint(2024, 2027),
            municipality=rng.choice(MUNICIPALITIES),
        )
        return text[0].upper() + text[1:]

    def text(self, pool: list[str], products: list[str], orgs: list[str], count: int) -> str:
        return " ".join(self.vary(s, products, orgs) for s in self.rng.sample(pool, count))

    def document(self, number: int, steps_per_task: int) -> dict:
        rng = self.rng
        domain, product = self.products[number % len(self.products)]
        related = [p for d, p in self.products if d == domain and p != product]
        products = [product, *rng.sample(related, min(2, len(related)))]
        orgs = rng.sample(ORGANISATIONS, 3)
        action, qualifier = rng.choice(ACTIONS), rng.choice(QUALIFIERS)
        title = " ".join(filter(None, [product[0].upper() + product[1:], action, qualifier]))
        slug = f"{slugify(title, 70)}-{number:05d}"
        sources = self.sources(products, orgs)
        steps = self.steps(products, orgs, [s["id"] for s in sources], steps_per_task)
        return {
            "slug": slug,
            "title": title,
            "domain": domain,
            "goal": self.text(self.pools.goals, products, orgs, 2)
            + " "
            + self.template(products, orgs, TEMPLATES),
            "trigger": self.text(self.pools.triggers, products, orgs, 1),
            "standard": "\n".join(
                "- " + self.template(products, orgs, TEMPLATES) for _ in range(3)
            ),
            "criticality": rng.choice(["critical", "high", "normal", "normal"]),
            "owner": f"Vakspecialist {domain.replace('-', ' ')}, gemeente "
            f"{rng.choice(MUNICIPALITIES)}",
            "review_by": (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 900))),
            "tags": [
                *products,
                f"{product} {action}",
                domain.replace("-", " "),
                *rng.sample(LAWS, 1),
            ],
            "zaaktypen": [f"ZT-{number:05d}"],
            "sources": sources,
            "context_rules": self.context_rules(number, domain, slug, steps[0]["id"]),
            "steps": steps,
        }

    def sources(self, products: list[str], orgs: list[str]) -> list[dict]:
        rng = self.rng
        result = []
        for k in range(rng.randint(1, 3)):
            municipality = rng.choice(MUNICIPALITIES)
            publisher = rng.choice([f"Gemeente {municipality}", *orgs])
            result.append(
                {
                    "id": f"bron-{k + 1}-{slugify(publisher, 30)}",
                    "title": f"Productpagina {rng.choice(products)} ({municipality})",
                    "publisher": publisher,
                    "url": f"https://www.{slugify(municipality)}.nl/{slugify(products[0])}",
                }
            )
        return result

    def steps(
        self, products: list[str], orgs: list[str], source_ids: list[str], count: int
    ) -> list[dict]:
        rng, pools = self.rng, self.pools
        titles = [
            self.vary(rng.choice(pools.titles), products, orgs)
            if rng.random() < 0.6
            else self.template(products, orgs, STEP_TITLES)
            for _ in range(count)
        ]
        ids = [f"{slugify(t, 50)}-{k + 1}" for k, t in enumerate(titles)]
        steps = []
        for k, (step_id, title) in enumerate(zip(ids, titles, strict=True)):
            step = {
                "id": step_id,
                "title": title,
                "mandatory": rng.random() < 0.8,
                "instruction": self.text(pools.instruction, products, orgs, rng.randint(1, 2))
                + " "
                + self.template(products, orgs, TEMPLATES),
                "why": self.text(pools.why, products, orgs, 1),
                "warning": self.text(pools.warning, products, orgs, 1)
                if rng.random() < 0.6
                else "",
                "check": self.text(pools.check, products, orgs, 1) if rng.random() < 0.8 else "",
                "target": [f"#{slugify(rng.choice(FIELDS))}"],
                "sources": rng.sample(source_ids, rng.randint(1, min(2, len(source_ids)))),
            }
            if k + 1 < count and rng.random() < 0.2:
                step["branches"] = [
                    {
                        "if": self.vary(rng.choice(pools.branch_conditions), products, orgs),
                        "step": ids[rng.randint(k + 1, count - 1)],
                    }
                ]
            steps.append(step)
        return steps

    def context_rules(self, number: int, domain: str, slug: str, first_step: str) -> list[dict]:
        rules = [{"app": APP, "url": f"/zaken/{domain}/{slug}/:id", "start_step": first_step}]
        kind = self.rng.choice(["none", "markers", "zaaktype"])
        if kind == "markers":
            rules.append(
                {
                    "app": APP,
                    "url": f"/zaken/{domain}/{slug}/:id/**",
                    "markers": [f"#form-{number:05d}"],
                    "priority": 5,
                }
            )
        elif kind == "zaaktype":
            rules.append({"app": APP, "zaaktype": f"ZT-{number:05d}", "priority": 2})
        return rules


def generate_corpus(tasks: int, steps_per_task: int, seed: int) -> list[TaskDocument]:
    writer = CorpusWriter(shipped_pools(), seed)
    return [TaskDocument.model_validate(writer.document(n, steps_per_task)) for n in range(tasks)]
