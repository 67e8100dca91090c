"""What a desk employee types into the help panel (a search query, a reason for deviating)
is kept without the citizen data in it: a BSN, a name, a postcode, a date of birth become a
placeholder, while the question itself stays as it was typed."""

from __future__ import annotations

import re

import pytest

from epss.events.scrub import PLACEHOLDERS, scrub

PERSONAL = [
    # citizen service numbers and other long numbers
    ("bsn 123456782 niet gevonden", "bsn [nummer] niet gevonden"),
    ("BSN 123.456.782 staat niet in BRP", "BSN [nummer] staat niet in BRP"),
    ("bsn 123 456 782 klopt niet", "bsn [nummer] klopt niet"),
    ("bsn 1234.56.782", "bsn [nummer]"),
    ("zaak Z-2026-000101 nog open", "zaak Z-2026-[nummer] nog open"),
    ("v-nummer 12345 6789 opgevraagd", "v-nummer [nummer] opgevraagd"),
    # dates, of birth mostly
    ("geboren 12-03-1990 in Marokko", "geboren [datum] in Marokko"),
    ("geboortedatum 12/3/1990", "geboortedatum [datum]"),
    ("kind geboren 1-1-90", "kind geboren [datum]"),
    ("geboortedatum 1990-03-12 onjuist in BRP", "geboortedatum [datum] onjuist in BRP"),
    ("geb. 12.03.1990", "geb. [datum]"),
    ("geboren 12 maart 1990 in Tilburg", "geboren [datum] in Tilburg"),
    ("verhuisd op 3 mei 2019", "verhuisd op [datum]"),
    ("paspoort verlopen 3 mrt. 2024", "paspoort verlopen [datum]"),
    # phone numbers
    ("tel 06-12345678", "tel [telefoonnummer]"),
    ("terugbellen 06 1234 5678", "terugbellen [telefoonnummer]"),
    ("0612345678 bellen", "[telefoonnummer] bellen"),
    ("klant belde vanaf +31 6 12345678", "klant belde vanaf [telefoonnummer]"),
    ("nummer 0031612345678", "nummer [telefoonnummer]"),
    ("school belt 020-1234567", "school belt [telefoonnummer]"),
    ("020 123 4567 terugbellen", "[telefoonnummer] terugbellen"),
    ("(020) 1234567", "[telefoonnummer]"),
    # e-mail addresses
    ("j.devries@gmail.com", "[e-mail]"),
    ("mail naar piet.jansen+dossier@example.co.uk sturen", "mail naar [e-mail] sturen"),
    # postcodes
    ("postcode 1234 AB klopt niet", "postcode [postcode] klopt niet"),
    ("verhuisd naar 3512JK", "verhuisd naar [postcode]"),
    ("adres 9999zz onbekend", "adres [postcode] onbekend"),
    # bank accounts
    ("IBAN NL91 ABNA 0417 1643 00", "IBAN [rekeningnummer]"),
    ("terugbetalen op NL91ABNA0417164300", "terugbetalen op [rekeningnummer]"),
    ("rekening nl02rabo0123456789 klopt niet", "rekening [rekeningnummer] klopt niet"),
    # passport and identity card numbers
    ("paspoortnummer NW92BH6T1 vermist", "paspoortnummer [documentnummer] vermist"),
    ("ID-kaart SPECI2014 gestolen", "ID-kaart [documentnummer] gestolen"),
    # names
    ("mevrouw El Amrani wil paspoort", "mevrouw [naam] wil paspoort"),
    ("Jan de Vries bsn", "[naam] bsn"),
    ("aanvraag van Fatima El Amrani", "aanvraag van [naam]"),
    ("mevrouw Jansen-de Boer belde", "mevrouw [naam] belde"),
    ("voogd is Pieter van den Berg", "voogd is [naam]"),
    ("dhr. de Vries wil VOG", "dhr. [naam] wil VOG"),
    ("de heer JANSEN aan de balie", "de heer [naam] aan de balie"),
    ("Meneer Bakker kwam zonder afspraak", "Meneer [naam] kwam zonder afspraak"),
    ("mw. Yılmaz wil DigiD", "mw. [naam] wil DigiD"),
    ("machtiging voor J.P. de Vries", "machtiging voor [naam]"),
    ("Jan in 't Veld overleden", "[naam] overleden"),
    ("moeder Anna Visser en vader Jan Visser", "moeder [naam] en vader [naam]"),
    # several at once
    (
        "mevrouw El Amrani, geboren 1 januari 1985, bsn 111222333, tel 06-12345678",
        "mevrouw [naam], geboren [datum], bsn [nummer], tel [telefoonnummer]",
    ),
]

KEPT = [
    "paspoort kind 12 jaar",
    "Paspoort kind",
    "Paspoort kind 12 jaar",
    "rijbewijs categorie C1",
    "verhuizing binnen de gemeente",
    "DigiD niveau substantieel",
    "briefadres aanvragen",
    "nooddocument Schiphol",
    "Paspoort Schiphol",
    "VOG aanvragen",
    "artikel 2.38 BRP",
    "eerste inschrijving RNI",
    "ID-kaart kwijt",
    "2 pasfoto's",
    "naturalisatie ceremonie 2026",
    "huisnummer 12a",
    "over 3 weken",
    "geboren in 1990 in Marokko",
    "in 2024 en 2025 verhuisd",
    "ICAO eisen pasfoto",
    "IND verblijfsvergunning verlopen",
    "kenteken overschrijven RDW",
    "Koninklijke Marechaussee Schiphol",
    "emigratie buiten Europa",
    "Nederlandse nationaliteit kwijt",
    "afspraak om 10.30 uur",
    "kosten 12.345 euro",
    "Rijksdienst voor Identiteitsgegevens",
    "meneer wil een uittreksel",
    "Gemeente Den Haag",
]

DIGIT_RUN = re.compile(r"\d{5,}")
PLACEHOLDER = re.compile(r"\[[^\]]*\]")


@pytest.mark.parametrize(("typed", "stored"), PERSONAL)
def test_personal_data_is_stored_as_a_placeholder(typed: str, stored: str) -> None:
    assert scrub(typed) == stored


@pytest.mark.parametrize("typed", KEPT)
def test_a_question_without_personal_data_is_stored_as_typed(typed: str) -> None:
    assert scrub(typed) == typed


@pytest.mark.parametrize(("typed", "_stored"), PERSONAL)
def test_no_long_number_or_address_survives_and_placeholders_are_known(
    typed: str, _stored: str
) -> None:
    stored = scrub(typed)
    assert not DIGIT_RUN.search(stored)
    assert "@" not in stored
    assert PLACEHOLDER.findall(stored)
    assert set(PLACEHOLDER.findall(stored)) <= PLACEHOLDERS


def test_spaces_typed_around_and_between_words_are_stored_once() -> None:
    assert scrub("  paspoort \t kind\n 12   jaar ") == "paspoort kind 12 jaar"


def test_a_placeholder_next_to_itself_is_stored_once() -> None:
    assert scrub("Jan Jansen Piet Pietersen") == "[naam]"
    assert scrub("bsn 123456782 123456783") == "bsn [nummer]"
    assert scrub("[naam] [naam] belde") == "[naam] belde"


def test_different_citizens_read_the_same_so_their_questions_group() -> None:
    first = scrub("mevrouw El Amrani bsn 123456782 geboren 12-03-1990")
    second = scrub("meneer de Vries bsn 987654321 geboren 1 mei 1975")
    assert first.split(" ", 1)[1] == second.split(" ", 1)[1]


def test_a_year_followed_by_a_short_word_is_not_a_postcode() -> None:
    assert scrub("naturalisatie 2026 en later") == "naturalisatie 2026 en later"
    assert scrub("ceremonie 2026 ID-kaart mee") == "ceremonie 2026 ID-kaart mee"
    assert scrub("postcode 2024 EN") == "postcode [postcode]"


def test_every_placeholder_is_dutch_in_square_brackets() -> None:
    assert all(re.fullmatch(r"\[[a-z-]+\]", placeholder) for placeholder in PLACEHOLDERS)
