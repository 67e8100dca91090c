"""The three-way merge of a step (epss.drafts.merge) on generated concurrent edits of the
shipped step texts: two people change one text from the same starting point. Where their
edits touch different words, the merge applies both by itself, each exactly once (no text
lost, none doubled); where they touch the same words, the conflict is reported with both
sides, never settled silently, and the rest of both edits is still applied."""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import dataclass

import pytest
import yaml

from epss.drafts.merge import merge_items, merge_step, merge_text, step_base, words
from epss.resources import shipped

PAIRS = 200
NEW_WORDS = (
    "altijd",
    "eerst",
    "de",
    "aanvrager",
    "controleer",
    "document",
    "balie",
    "zorgvuldig",
    "pas",
    "termijn",
    "melding",
    "geldig",
    "het",
    "en",
    "of",
    "BSN",
    "Let",
    "op:",
    "vraag",
    "kopie",
    "nooit",
    "binnen",
    "drie",
    "werkdagen",
)


def step_texts() -> list[str]:
    """The longer texts of the shipped steps (instruction, why, warning, check)."""
    texts = []
    for path in sorted(shipped("tasks").glob("*.yaml")):
        for step in yaml.safe_load(path.read_text(encoding="utf-8"))["steps"]:
            for name in ("instruction", "why", "warning", "check"):
                text = (step.get(name) or "").strip()
                if len(re.findall(r"\w+", text)) >= 14:
                    texts.append(text)
    return texts


TEXTS = step_texts()


@dataclass(frozen=True)
class Edit:
    """Replace the tokens [start, end) of the base by `new` (start == end: an insertion)."""

    start: int
    end: int
    new: tuple[str, ...]


def apply(tokens: list[str], edits: list[Edit]) -> str:
    out = list(tokens)
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        out[edit.start : edit.end] = edit.new
    return "".join(out)


def word_slots(tokens: list[str]) -> list[int]:
    return [n for n, t in enumerate(tokens) if re.match(r"\w", t)]


def new_words(rng: random.Random, tag: str) -> tuple[str, ...]:
    """One to four words, the first one marked so that it can be counted."""
    chosen = [f"{tag}{rng.choice(NEW_WORDS)}", *rng.sample(NEW_WORDS, rng.randint(0, 3))]
    out: list[str] = []
    for word in chosen:
        out += [" ", word] if out else [word]
    return tuple(out)


def an_edit(rng: random.Random, tokens: list[str], slots: list[int], at: int, tag: str) -> Edit:
    """An edit of the word at slots[at]: reword it (and maybe the next), delete it with
    the space before it, or insert words after it."""
    first = slots[at]
    kind = rng.choice(("reword", "reword", "delete", "insert"))
    if kind == "reword":
        last = slots[min(at + rng.randint(0, 1), len(slots) - 1)]
        return Edit(first, last + 1, new_words(rng, tag))
    if kind == "delete" and first > 0 and tokens[first - 1].isspace():
        return Edit(first - 1, first + 1, ())
    return Edit(first + 1, first + 1, (" ", *new_words(rng, tag)))


def apart(rng: random.Random, count: int, edits: int) -> list[int]:
    """`edits` word positions out of `count`, at least three words from each other."""
    while True:
        chosen = sorted(rng.sample(range(count), edits))
        if all(b - a >= 3 for a, b in itertools.pairwise(chosen)):
            return chosen


def marked(text: str, tag: str) -> list[str]:
    return re.findall(rf"\b{tag}\w+", text)


@pytest.mark.parametrize("seed", range(PAIRS))
def test_concurrent_edits_of_a_step_text_merge_without_loss_or_doubling(seed: int) -> None:
    rng = random.Random(seed)
    base = rng.choice(TEXTS)
    tokens = words(base)
    assert "".join(tokens) == base
    slots = word_slots(tokens)
    overlapping = seed % 4 == 0  # one pair in four: both change the same words
    places = apart(rng, len(slots), rng.randint(2, 4))
    rng.shuffle(places)
    split = rng.randint(1, len(places) - 1)
    theirs_edits = [an_edit(rng, tokens, slots, at, "XA") for at in places[:split]]
    mine_edits = [an_edit(rng, tokens, slots, at, "XB") for at in places[split:]]
    clash = None
    if overlapping:
        at = places[0]
        clash = (
            Edit(slots[at], slots[at] + 1, new_words(rng, "XAbotst")),
            Edit(slots[at], slots[at] + 1, new_words(rng, "XBbotst")),
        )
        theirs_edits = [
            clash[0],
            *(
                e
                for e in theirs_edits
                if e.start != slots[at] and e.start != slots[at] + 1 and e.start != slots[at] - 1
            ),
        ]
    theirs, mine = apply(tokens, theirs_edits), apply(tokens, mine_edits)
    if clash:
        mine_edits = [clash[1], *mine_edits]
        mine = apply(tokens, mine_edits)
    result = merge_text(base, theirs, mine)

    if not overlapping:
        assert result.clean, (base, theirs, mine, result.conflicts)
        merged = result.value()
        assert merged == apply(tokens, theirs_edits + mine_edits)
        for tag, text in (("XA", theirs), ("XB", mine)):
            for word in marked(text, tag):  # every inserted word once: none lost, none doubled
                assert merged.count(word) == text.count(word), (word, merged)
        return

    # Both changed the same word: reported, with both sides, not settled silently.
    assert not result.clean
    conflict_words = ["".join(c.theirs) + "|" + "".join(c.mine) for c in result.conflicts]
    assert any("XAbotst" in w and "XBbotst" in w for w in conflict_words), conflict_words
    with pytest.raises(ValueError):
        result.value()
    count = len(result.conflicts)
    kept_theirs, kept_mine = result.value(["theirs"] * count), result.value(["mine"] * count)
    assert "XBbotst" not in kept_theirs and "XAbotst" not in kept_mine
    both = result.value(["both"] * count)
    assert both.count(marked(theirs, "XAbotst")[0]) == 1
    assert both.count(marked(mine, "XBbotst")[0]) == 1
    # The edits elsewhere are in every outcome, once.
    for tag, text in (("XA", theirs), ("XB", mine)):
        for word in marked(text, tag):
            if "botst" in word:
                continue
            for outcome in (kept_theirs, kept_mine, both):
                assert outcome.count(word) == text.count(word), (word, outcome)


def test_the_same_change_on_both_sides_is_taken_once() -> None:
    base = "Controleer de termijn van drie werkdagen."
    both = "Controleer de termijn van drie werkdagen. Te laat? Meld het aan het OM."
    result = merge_text(base, both, both)
    assert result.clean and result.value() == both


def test_additions_at_the_same_place_conflict_and_both_keeps_each_once() -> None:
    base = "Controleer de termijn."
    theirs, mine = base + "\n\nEva: de wet geeft drie werkdagen.", base + " Erik: meld het OM."
    result = merge_text(base, theirs, mine)
    assert len(result.conflicts) == 1
    assert result.value(["both"]) == (
        "Controleer de termijn.\n\nEva: de wet geeft drie werkdagen. Erik: meld het OM."
    )


def test_lists_merge_item_by_item() -> None:
    base = ["#bsn", "#naam"]
    result = merge_items(base, ["#bsn", "#naam", "#adres"], ["#burgerservicenummer", "#naam"])
    assert result.clean and result.value() == ["#burgerservicenummer", "#naam", "#adres"]
    clash = merge_items(base, ["#a", "#naam"], ["#b", "#naam"])
    assert not clash.clean and clash.value(["both"]) == ["#a", "#b", "#naam"]


STEP = {
    "title": "Controleer de termijn",
    "mandatory": True,
    "instruction": "Kijk op de geboortedatum. Tel drie werkdagen.",
    "why": "De wet geeft drie werkdagen.",
    "warning": "",
    "check": "",
    "estimated_minutes": 3,
    "branches": [{"if": "Te laat", "step": "meld-om"}],
    "target": ["#datum"],
    "target_fingerprint": {"tag": "input", "name": "datum", "label": "Geboortedatum"},
    "field_tip": "Als dd-mm-jjjj.",
    "field_checks": [{"kind": "date", "to_days": 0}],
    "sources": ["bw"],
}


def test_a_step_merges_field_by_field_and_reports_only_real_conflicts() -> None:
    theirs = {
        **STEP,
        "instruction": "Kijk op de geboortedatum in de akte. Tel drie werkdagen.",
        "mandatory": False,
        "why": "De wet geeft vijf werkdagen.",
    }
    mine = {
        **STEP,
        "instruction": "Kijk op de geboortedatum. Tel drie werkdagen, niet meer.",
        "target": ["#datum", "#geboortedatum"],
        "why": "De wet geeft zes dagen.",
    }
    merged = merge_step(STEP, theirs, mine)
    assert merged.values["instruction"] == (
        "Kijk op de geboortedatum in de akte. Tel drie werkdagen, niet meer."
    )
    assert merged.values["mandatory"] is False and merged.values["target"] == [
        "#datum",
        "#geboortedatum",
    ]
    assert list(merged.conflicts) == ["why"]
    assert set(merged.theirs_changed) == {"instruction", "mandatory", "why"}
    assert set(merged.mine_changed) == {"instruction", "target", "why"}
    with pytest.raises(ValueError, match="why"):
        merged.resolved({})
    assert merged.resolved({"why": ["mine"]})["why"] == "De wet geeft zes dagen."


def test_without_a_base_every_difference_is_a_conflict() -> None:
    merged = merge_step(None, {**STEP, "why": "A."}, {**STEP, "why": "B."})
    assert list(merged.conflicts) == ["why"]
    assert merged.resolved({"why": ["both"]})["why"] == "A. B."


def test_the_base_a_form_sends_back_is_checked() -> None:
    assert step_base(STEP) == STEP
    assert step_base(json.dumps(STEP)) == STEP
    assert step_base("not json") is None
    assert step_base({**STEP, "mandatory": "ja"}) is None
    assert step_base({**STEP, "sources": "bw"}) is None
    assert step_base({**STEP, "estimated_minutes": "drie"}) is None
    # A form loaded before a field existed sends no value for it: none, not a refusal.
    later = ("estimated_minutes", "field_tip", "field_checks", "target_fingerprint")
    older = {k: v for k, v in STEP.items() if k not in later}
    assert step_base(older) == {
        **older,
        "estimated_minutes": None,
        "field_tip": None,
        "field_checks": [],
        "target_fingerprint": None,
    }
    assert step_base({**STEP, "field_tip": 3}) is None
    assert step_base({**STEP, "target_fingerprint": {"tag": "input"}}) is None  # names nothing


def test_taking_both_sides_of_a_list_never_repeats_an_item() -> None:
    merged = merge_items(["x", "y"], ["y", "x"], ["x", "y", "w"])
    value = merged.value([] if merged.clean else ["both"] * len(merged.conflicts))
    assert sorted(value) == ["w", "x", "y"] and len(value) == len(set(value))


def test_a_new_paragraph_break_is_a_change_not_white_space() -> None:
    base = "Stap een. Stap twee."
    merged = merge_text(base, "Stap een.\nStap twee.", "Stap een.\n\nStap twee.")
    assert not merged.clean
