"""Removing what looks like personal data from a text a desk employee typed (a search query,
a reason for deviating from guidance) before it is stored and shown in aggregate.

Each finding becomes a fixed Dutch placeholder in square brackets, so that the same question
typed by different people about different citizens reads the same. It is a filter, not a
parser, and it errs on the side of removing: a false positive costs a word, a false negative
stores citizen data. The patterns below run in the order of `_STEPS`; an earlier one takes
what a later one would take apart (an e-mail address before a name, an IBAN before a
number, a date before a phone number or a postcode).
"""

from __future__ import annotations

import re
from collections.abc import Callable

PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "[e-mail]",
        "[rekeningnummer]",
        "[datum]",
        "[telefoonnummer]",
        "[documentnummer]",
        "[postcode]",
        "[nummer]",
        "[naam]",
    }
)

# Capitalised words that are not names: places and bodies common in desk queries, and the
# desk's abbreviations (which a title before them does not make a name).
# fmt: off
KEEP_WORDS = frozenset({
    "Nederland", "Nederlandse", "Nederlands", "Nederlander", "Schiphol", "Europa", "Europese",
    "Unie", "Marechaussee", "Koninklijke", "Rijksdienst", "Burgerzaken", "Stadswinkel",
    "Gemeente", "Belastingdienst", "Den", "Haag", "Noord", "Zuid", "Holland", "Caribisch",
    "Verenigde", "Verenigd", "Staten", "Koninkrijk", "EU", "NL", "BSN", "BRP", "RNI", "DigiD",
    "IND", "RDW", "VOG", "ID", "ICAO", "GBA", "DUO", "UWV", "SVB", "KVK", "CJIB",
})
# Two-letter Dutch words after a year ("in 2024 en 2025"): typed lower case after a space,
# they are not the letters of a postcode.
NOT_POSTCODE_LETTERS = frozenset({
    "en", "in", "op", "of", "om", "is", "te", "na", "nu", "al", "er", "de", "je", "ze", "we",
    "ik", "zo", "ja",
})
# fmt: on

_UP = "A-ZÀ-ÖØ-ÞŁŒŠŸŽĞİŞ"
_LOW = "a-zß-öø-ÿıłœšžğş"
_KEEP = rf"(?!(?:{'|'.join(sorted(KEEP_WORDS))})(?![\w'’]))"
# A capitalised word (Vries, D'Souza, McDonald, Amrani) or initials (J., J.P., J. P.).
_WORD = (
    rf"{_KEEP}(?:[{_UP}]['’]?[{_UP}]?[{_LOW}]+(?:[{_UP}][{_LOW}]+)?(?![\w'’])"
    rf"|[{_UP}]\.(?:\s?[{_UP}]\.)*)"
)
_CAPS = rf"{_KEEP}[{_UP}]{{2,}}(?![\w'’])"  # JANSEN, as a surname is shown in many systems
_PARTICLE = r"(?i:van|der|den|de|ter|ten|te|el|al|op|in\s['’]t|['’]t)(?![\w'’])"
_SEP = r"(?:\s+|-|(?<=\.))"  # between name words: spaces, a hyphen, nothing after initials
_DIGIT_SEP = r"(?:[ ./-]|\s-\s)?"
_MONTH = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november"
    r"|december|jan|feb|mrt|apr|jun|jul|aug|sept|sep|okt|nov|dec)"
)

# j.devries@gmail.com
EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# NL91ABNA0417164300, NL91 ABNA 0417 1643 00, BE68 5390 0754 7034
IBAN = re.compile(r"\b[A-Z]{2}\d{2} ?[A-Z0-9]{4}(?: ?\d{4}){2,7}(?: ?\d{1,3})?\b", re.I)
# 12-03-1990, 12/3/1990, 1-1-90, 12.03.1990, 1990-03-12 (one kind of separator per date)
DATE = re.compile(
    r"(?<!\d)(?<!\d[-/.])(?:\d{1,2}([-/.])\d{1,2}\1(?:\d{4}|\d{2})|\d{4}([-/.])\d{1,2}\2\d{1,2})"
    r"(?!\d|[-/.]\d)"
)
# 12 maart 1990, 3 mei 2019, 1 jan., 12 mrt '90 (a day is needed: "mei 2019" stays)
WRITTEN_DATE = re.compile(rf"\b\d{{1,2}}\s+{_MONTH}\b\.?(?:\s+(?:\d{{4}}|['’]\d{{2}})\b)?", re.I)
# +31 6 12345678, 0031612345678, +31 (0)20 1234567, +32 470 12 34 56
PHONE_ABROAD = re.compile(
    rf"(?<![\w+])(?:\+|00)[1-9](?:(?:{_DIGIT_SEP}|\s?\(0\)\s?)\d){{7,12}}(?!\d)"
)
# 06-12345678, 06 1234 5678, 0612345678, 020-1234567, 020 123 4567, (020) 1234567
PHONE = re.compile(rf"(?<![\w+])\(?0(?:(?:{_DIGIT_SEP}|\)\s?)\d){{9}}(?!\d)")
# Passport and ID card numbers, one token: NW92BH6T1, SPECI2014 (a digit in the middle six,
# so a word with a digit glued on, "paspoort2", stays)
DOCUMENT = re.compile(r"\b[A-Z]{2}(?=[A-Z]{0,5}\d)[A-Z0-9]{6}\d\b", re.I)
# 1234 AB, 1234AB, 1234ab (the letters not followed by another letter, nor by a hyphen and
# a word: "2026 ID-kaart")
POSTCODE = re.compile(r"(?<![\w.])[1-9]\d{3}( ?)([A-Za-z]{2})(?![^\W\d_]|-[^\W\d_])")
# 123 456 789, 1234.56.789, 1234 5678: digit groups with seven digits or more together
GROUPED_NUMBER = re.compile(r"(?<![\d.])\d{2,5}(?:[ .]\d{2,5})+(?!\d)")
# A citizen service number, a case number, any run of five digits or more
LONG_NUMBER = re.compile(r"\d{5,}")
# A name after a title: mevrouw El Amrani, dhr. de Vries, de heer JANSEN
TITLED_NAME = re.compile(
    r"(?P<title>\b(?i:(?:meneer|mevrouw|de\s+heer|mevr|dhr|mw)\b\.?|(?:hr|mr|dr)\.))"
    rf"(?:\s+|(?<=\.))(?:{_PARTICLE}{_SEP})*(?:{_WORD}|{_CAPS})"
    rf"(?:{_SEP}(?:{_PARTICLE}{_SEP})*(?:{_WORD}|{_CAPS}))*"
)
# Two capitalised words or more: Jan de Vries, Fatima El Amrani, Jansen-de Boer
NAME = re.compile(rf"(?<![\w'’.-]){_WORD}(?:(?:{_SEP}{_PARTICLE})*{_SEP}{_WORD})+")
SPACES = re.compile(r"\s+")
REPEATED = re.compile(rf"({'|'.join(re.escape(p) for p in sorted(PLACEHOLDERS))})(?: \1)+")


def _grouped(found: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in found.group())
    return "[nummer]" if digits >= 7 else found.group()


def _postcode(found: re.Match[str]) -> str:
    space, letters = found.group(1, 2)
    if space and letters.islower() and letters in NOT_POSTCODE_LETTERS:
        return found.group()
    return "[postcode]"


def _titled(found: re.Match[str]) -> str:
    return f"{found.group('title')} [naam]"


_STEPS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (EMAIL, "[e-mail]"),
    (IBAN, "[rekeningnummer]"),
    (DATE, "[datum]"),
    (WRITTEN_DATE, "[datum]"),
    (PHONE_ABROAD, "[telefoonnummer]"),
    (PHONE, "[telefoonnummer]"),
    (DOCUMENT, "[documentnummer]"),
    (POSTCODE, _postcode),
    (GROUPED_NUMBER, _grouped),
    (LONG_NUMBER, "[nummer]"),
    (TITLED_NAME, _titled),
    (NAME, "[naam]"),
)


def scrub(text: str) -> str:
    """The text with what looks like personal data replaced by a placeholder in square
    brackets (one of PLACEHOLDERS), its whitespace collapsed and a placeholder repeated
    next to itself ("[naam] [naam]") written once."""
    for pattern, replacement in _STEPS:
        text = pattern.sub(replacement, text)
    text = SPACES.sub(" ", text).strip()
    return REPEATED.sub(r"\1", text)
