"""Target robustness benchmark: how often a step's field is found again, and found right,
after the changes a supplier's release makes to the case software (ids renamed, classes
changed, the page reordered, labels reworded, wrappers, fieldsets, shadow roots), by its
fingerprint (overlay_js/src/locate.js) and, as the baseline, by its CSS selector alone. On
every demo screen, for every shipped step target there (bench/demo_targets.py), in Debian's
Chromium. Printed with the goal: ≥ 95 % correct across the kinds of change, 0 % wrong.

    python -m bench.targets [--seed 20260317]

Each variant is the screen loaded afresh: the fingerprint of each target is taken on the
page as served (and the element itself kept, by reference: identity is the truth), then the
page is changed in place by JavaScript that moves nodes and never clones them, then each
target is looked for. The demo's overlay script is not loaded: the page is the case
software alone. A control takes each target out of its screen as served and looks for it:
whatever is found then is a wrong field. About 20 s on 2 cores (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

from bench.demo_targets import LOCATE_JS, Target, demo_browser, demo_targets, shipped_documents

SEED = 20260317
# One change each: the goal is measured over these.
KINDS: dict[str, tuple[str, ...]] = {
    "ids renamed": ("ids",),
    "classes changed": ("classes",),
    "DOM reordered": ("reorder",),
    "labels reworded": ("labels",),
    "wrapper added": ("wrap",),
    "moved into a fieldset": ("fieldset",),
    "moved into a shadow root": ("shadow",),
}
# Two changes at once: reported on their own, outside the goal.
COMBINED: dict[str, tuple[str, ...]] = {
    "ids renamed + labels reworded": ("ids", "labels"),
    "ids renamed + DOM reordered": ("ids", "reorder"),
}
GOAL_CORRECT = 95.0
RESULTS = ("correct", "wrong", "missed")

# locate.js as the overlay ships it, in a function scope; and a second copy of it that also
# notes every score it gives (its scoreOf wrapped), to tell why a target was missed.
INJECT = """() => {{
{code}
window.__locate = {{fingerprintOf, locate}};
}}"""
INJECT_SCORING = """() => {{
{code}
const scoreOfAll = scoreOf;
scoreOf = (...args) => {{
  const score = scoreOfAll(...args);
  window.__scored.push([args[1], score]);
  return score;
}};
window.__scoring = locate;
window.__minimum = MINIMUM;
}}"""

# The fingerprint of each target on the page as served, and the element itself (by
# reference, in window.__truth); a name for every element of the page (its tag and id as
# served) to say later what was found instead.
CAPTURE = r"""(targets) => {
  const {fingerprintOf} = window.__locate;
  window.__truth = new Map();
  window.__prints = new Map();
  window.__served = new WeakMap();
  for (const el of document.querySelectorAll('*')) {
    const name = el.getAttribute('name');
    const heading = el.querySelector('h1,h2,h3,h4,h5,h6,legend');
    const said = heading ? heading.textContent : el.innerText || el.textContent || '';
    const text = said.replace(/\s+/g, ' ').trim().slice(0, 40);
    const which = el.id ? '#' + el.id : name ? `[name=${name}]` : text ? ` "${text}"` : '';
    window.__served.set(el, el.localName + which);
  }
  return targets.map(([key, selector]) => {
    const el = document.querySelector(selector);
    window.__truth.set(key, el);
    window.__prints.set(key, fingerprintOf(el));
    return window.__visible(el);
  });
}"""

# As the overlay's highlight.js decides: it has a box and is not display:none or hidden.
VISIBLE = """() => {
  window.__visible = (el) => {
    const r = el.getBoundingClientRect();
    const shown = !el.checkVisibility || el.checkVisibility({visibilityProperty: true});
    return Boolean((r.width || r.height) && shown);
  };
}"""

# The changes a supplier's release makes, applied in the page in the order given. Seeded:
# the same seed, the same page. Nodes are moved, never cloned: the fields stay themselves.
TRANSFORM = r"""([kinds, seed, screen]) => {
  const hash = (text) => {  // FNV-1a, seeded
    let h = (2166136261 ^ seed) >>> 0;
    for (const c of text) { h ^= c.codePointAt(0); h = Math.imul(h, 16777619) >>> 0; }
    return h;
  };
  const random = (text) => {  // mulberry32
    let a = hash(text);
    return () => {
      a = (a + 0x6D2B79F5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  };
  const main = document.querySelector('main') || document.body;
  // The page's blocks: what is in main, and what is in its forms.
  const containers = () => [...main.children]
    .flatMap((el) => (el.localName === 'form' ? [...el.children] : [el]))
    .filter((el) => !/^(script|template|input)$/.test(el.localName));
  // Each style rule's selector rewritten (the release ships its stylesheet with its page).
  const rewriteSheets = (rewrite) => {
    const walk = (rules) => {
      for (const rule of rules) {
        if (rule.selectorText) rule.selectorText = rewrite(rule.selectorText);
        if (rule.cssRules) walk(rule.cssRules);
      }
    };
    for (const sheet of document.styleSheets) walk(sheet.cssRules);
  };
  const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  const QUALIFIERS = ['(verplicht)', '(indien van toepassing)', '(optioneel)', '– controle'];
  // A text a person reads, reworded one of three ways: words reordered, a qualifier added,
  // another case. The numbering of a heading ("2. ") stays in front.
  const reword = (text) => {
    const [, lead, number, body, trail] = /^(\s*)(\d+\.\s+)?([\s\S]*?)(\s*)$/.exec(text);
    if (!body) return text;
    const words = body.split(/\s+/);
    let how = hash('reword ' + body) % 3;
    if (how === 0 && words.length < 2) how = 1;
    let out;
    if (how === 0) {
      const and = words.indexOf('en');
      if (and > 0 && and < words.length - 1) {  // "Plaats en datum …" → "Datum en plaats …"
        [words[and - 1], words[and + 1]] = [words[and + 1].toLowerCase(), words[and - 1]];
        out = words;
      } else {  // "Voornamen kind" → "Kind, voornamen"
        out = [words[words.length - 1] + ',', ...words.slice(0, -1)];
      }
      const word = (w) => (/^[A-Z][a-z]/.test(w) ? w.toLowerCase() : w);  // not "BRP"
      out = out.map((w, i) => (i ? word(w) : capital(w))).join(' ');
    } else if (how === 1) {
      out = body + ' ' + QUALIFIERS[hash('qualifier ' + body) % QUALIFIERS.length];
    } else {
      out = body === body.toUpperCase() ? capital(body.toLowerCase()) : body.toUpperCase();
    }
    return lead + (number || '') + out + trail;
  };
  const change = {
    ids() {  // every id renamed the way generated pages name them; references follow
      const renamed = new Map();
      for (const el of document.querySelectorAll('[id]')) {
        renamed.set(el.id, 'ctl00_MainContent_' + hash('id ' + el.id).toString(36));
        el.id = renamed.get(el.id);
      }
      const swap = (value) => value.split(/\s+/).map((id) => renamed.get(id) || id).join(' ');
      const REFERENCES = ['for', 'aria-labelledby', 'aria-describedby', 'aria-controls',
        'aria-owns', 'form', 'list', 'headers'];
      for (const attr of REFERENCES) {
        for (const el of document.querySelectorAll(`[${attr}]`)) {
          el.setAttribute(attr, swap(el.getAttribute(attr)));
        }
      }
      for (const a of document.querySelectorAll('a[href^="#"]')) {
        const id = a.getAttribute('href').slice(1);
        if (renamed.has(id)) a.setAttribute('href', '#' + renamed.get(id));
      }
      const rename = (m, id) => (renamed.has(id) ? '#' + renamed.get(id) : m);
      rewriteSheets((s) => s.replace(/#(-?[_a-zA-Z][\w-]*)/g, rename));
    },
    classes() {  // every class renamed (as CSS modules do), the stylesheet with them
      const name = (c) => c.split(/__|--/)[0].slice(0, 4) + '_'
        + hash('class ' + c).toString(36).slice(0, 5);
      for (const el of document.querySelectorAll('[class]')) {
        el.setAttribute('class', [...el.classList].map(name).join(' '));
      }
      rewriteSheets((s) => s.replace(/\.(-?[_a-zA-Z][\w-]*)/g, (m, c) => '.' + name(c)));
    },
    reorder() {  // the children of every block shuffled; headings, legends and labels stay first
      const stays = (el) => /^(h[1-6]|legend|label|caption|thead|summary|dt)$/.test(el.localName);
      const shuffle = random('reorder ' + screen);
      const texted = (n) => n.nodeType === Node.TEXT_NODE && n.nodeValue.trim();
      const BLOCKS = 'form,section,fieldset,div,ul,ol,tbody,dl';
      for (const box of [main, ...main.querySelectorAll(BLOCKS)]) {
        if ([...box.childNodes].some(texted)) continue;  // running text: not a block of blocks
        const kids = [...box.children];
        const movable = kids.filter((el) => !stays(el));
        if (movable.length < 2) continue;
        const order = [...movable];
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(shuffle() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        if (order.every((el, i) => el === movable[i])) order.push(order.shift());
        let next = 0;
        box.append(...kids.map((el) => (stays(el) ? el : order[next++])));
      }
    },
    labels() {  // label, legend, heading and aria-label texts reworded
      const texted = (n) => n.nodeType === Node.TEXT_NODE && n.nodeValue.trim();
      for (const el of main.querySelectorAll('label,legend,h1,h2,h3,h4,h5,h6')) {
        const node = [...el.childNodes].find(texted);
        if (node) node.nodeValue = reword(node.nodeValue);
      }
      for (const el of main.querySelectorAll('[aria-label]')) {
        el.setAttribute('aria-label', reword(el.getAttribute('aria-label')));
      }
    },
    wrap() {  // each field and each section in a div of its own
      const FIELDS = 'input:not([type=hidden]),select,textarea,button,section';
      for (const el of main.querySelectorAll(FIELDS)) {
        const div = document.createElement('div');
        el.before(div);
        div.append(el);
      }
    },
    fieldset() {  // each block in a new fieldset with a legend of its own
      containers().forEach((box, i) => {
        const fieldset = document.createElement('fieldset');
        const legend = document.createElement('legend');
        legend.textContent = `Onderdeel ${i + 1}`;
        box.before(fieldset);
        fieldset.append(legend, box);
      });
    },
    shadow() {  // each block in the open shadow root of a web component, styled as before
      if (!customElements.get('zs-blok')) {
        customElements.define('zs-blok', class extends HTMLElement {});
      }
      const sheet = new CSSStyleSheet();
      const rules = [...document.styleSheets].flatMap((s) => [...s.cssRules]);
      sheet.replaceSync(rules.map((r) => r.cssText).join('\n'));
      for (const box of containers()) {
        const host = document.createElement('zs-blok');
        host.style.display = 'block';
        box.before(host);
        const root = host.attachShadow({mode: 'open'});
        root.adoptedStyleSheets = [sheet];
        root.append(box);
      }
    },
  };
  for (const kind of kinds) change[kind]();
}"""

# Each target looked for by its fingerprint (as the overlay does) and by its selector alone;
# for a miss, the score of the true element and of the best other one.
RESOLVE = """(targets) => {
  const {locate} = window.__locate;
  const visible = window.__visible;
  const verdict = (el, truth) => (!el ? 'missed' : el === truth ? 'correct' : 'wrong');
  const named = (el) => (el ? window.__served.get(el) || el.localName : null);
  return targets.map(([key, selector]) => {
    const truth = window.__truth.get(key);
    const print = window.__prints.get(key);
    const match = locate([selector], print, visible);
    const plain = document.querySelector(selector);
    const result = {
      fingerprint: verdict(match && match.element, truth), selector: verdict(plain, truth),
      score: match ? match.score : null, weak: match ? match.weak : null,
      found: named(match && match.element), plain_found: named(plain),
    };
    if (result.fingerprint !== 'correct') {  // the same search again, every score noted
      window.__scored = [];
      window.__scoring([selector], print, visible);
      let [own, other, runner] = [null, 0, null];
      for (const [el, score] of window.__scored) {
        if (el === truth) own = score;
        else if (score > other) [other, runner] = [score, el];
      }
      Object.assign(result, {own, other, runner: named(runner)});
    }
    return result;
  });
}"""


# The control: each target taken out of the page as served (and put back after), then looked
# for. Nothing is the right answer; any field found is a wrong one.
REMOVED = """(targets) => {
  const {locate} = window.__locate;
  return targets.map(([key, selector]) => {
    const truth = window.__truth.get(key);
    const mark = document.createComment('');
    truth.replaceWith(mark);
    const match = locate([selector], window.__prints.get(key), window.__visible);
    window.__scored = [];
    window.__scoring([selector], window.__prints.get(key), window.__visible);
    mark.replaceWith(truth);
    const named = (el) => el && (window.__served.get(el) || el.localName);
    const [closest, best] = window.__scored.reduce((a, b) => (b[1] > a[1] ? b : a), [null, 0]);
    const found = named(match && match.element);
    return {score: match && match.score, found, best, closest: named(closest)};
  });
}"""


@dataclass(frozen=True)
class Outcome:
    target: Target
    variant: str
    fingerprint: str  # correct, wrong or missed
    selector: str
    detail: dict[str, Any]


def inject(page: Page, code: str | None = None) -> None:
    """locate.js (or `code`, a version of it) and the overlay's idea of visible."""
    source = code if code is not None else LOCATE_JS.read_text(encoding="utf-8")
    page.evaluate(INJECT.format(code=source))
    page.evaluate(INJECT_SCORING.format(code=source))
    page.evaluate(VISIBLE)


def run_variant(
    page: Page,
    base: str,
    targets: list[Target],
    kinds: tuple[str, ...],
    seed: int,
    resolve: str = RESOLVE,
    code: str | None = None,
) -> list[dict[str, Any] | None]:
    """The targets' screen loaded, its targets captured, changed by `kinds`, looked for by
    `resolve`. None for the targets not shown on the page as served (nothing finds those)."""
    screen = targets[0].screen
    page.goto(base + screen)
    inject(page, code)
    pairs = [[f"{t.slug}/{t.step_id}", t.selector] for t in targets]
    shown = page.evaluate(CAPTURE, pairs)
    page.evaluate(TRANSFORM, [list(kinds), seed, screen])
    results: list[dict[str, Any]] = page.evaluate(resolve, pairs)
    return [r if ok else None for r, ok in zip(results, shown, strict=True)]


@dataclass
class Measured:
    targets: list[Target]
    outcomes: list[Outcome]
    removed: list[tuple[Target, dict[str, Any]]]  # the control: what was looked for, found
    hidden: int  # targets not shown on their screen as served: left out
    minimum: float  # locate.js's MINIMUM
    speed: dict[str, Any]  # see SPEED


# The time locate() takes on a large screen: 1,000 labelled fields in one form, every id
# renamed (so each field is scored), first and repeated; the selector alone as baseline.
BIG_SCREEN = "<main><section><h2>Kop</h2><form>{}</form></section></main>".format(
    "".join(
        f'<div><label for="f{i}">Veld nummer {i}</label>'
        f'<input id="f{i}" name="veld{i}" placeholder="p{i}"></div>'
        for i in range(1000)
    )
)
SPEED = """() => {
  const {fingerprintOf, locate} = window.__locate;
  const print = fingerprintOf(document.querySelector('#f700'));
  const lost = performance.now();
  document.querySelector('#f700');
  const selector = performance.now() - lost;
  for (const el of document.querySelectorAll('input')) el.labels[0].htmlFor = el.id = 'x' + el.id;
  document.body.offsetHeight;  // the page's own layout is not locate's
  const times = [];
  let found = null;
  for (let i = 0; i < 11; i++) {
    const start = performance.now();
    found = locate(['#f700'], print, window.__visible);
    times.push(performance.now() - start);
  }
  const repeats = times.slice(1).sort((a, b) => a - b);
  return {found: !!found && found.element.id === 'xf700', first: times[0],
          repeat: repeats[5], selector};
}"""


def measure(seed: int, code: str | None = None) -> Measured:
    """Every variant of every demo screen, and the control."""
    variants = {**KINDS, **COMBINED}
    outcomes: list[Outcome] = []
    removed: list[tuple[Target, dict[str, Any]]] = []
    hidden: set[tuple[str, str]] = set()
    with demo_browser() as (browser, base):
        page = browser.new_page()
        page.route("**/overlay.js", lambda route: route.abort())
        targets = demo_targets(page, base, shipped_documents())
        screens = sorted({t.screen for t in targets})
        for number, screen in enumerate(screens, 1):
            on_screen = [t for t in targets if t.screen == screen]
            for variant, kinds in variants.items():
                results = run_variant(page, base, on_screen, kinds, seed, code=code)
                for target, result in zip(on_screen, results, strict=True):
                    if result is None:
                        hidden.add((target.slug, target.step_id))
                        continue
                    fingerprint, selector = result.pop("fingerprint"), result.pop("selector")
                    outcomes.append(Outcome(target, variant, fingerprint, selector, result))
            control = run_variant(page, base, on_screen, (), seed, REMOVED, code)
            removed += [(t, r) for t, r in zip(on_screen, control, strict=True) if r is not None]
            print(f"  screen {number}/{len(screens)} {screen}", file=sys.stderr)
        minimum = float(page.evaluate("() => window.__minimum"))
        page.set_content(BIG_SCREEN)
        inject(page, code)
        speed: dict[str, Any] = page.evaluate(SPEED)
        page.close()
    return Measured(targets, outcomes, removed, len(hidden), minimum, speed)


def shares(outcomes: list[Outcome], method: str) -> dict[str, float]:
    counts = Counter(getattr(o, method) for o in outcomes)
    return {r: 100 * counts[r] / (len(outcomes) or 1) for r in RESULTS}


def row(name: str, outcomes: list[Outcome]) -> str:
    f, s = shares(outcomes, "fingerprint"), shares(outcomes, "selector")
    cells = [f"{m['correct']:>8.1f} %{m['wrong']:>8.1f} %{m['missed']:>9.1f} %" for m in (f, s)]
    return f"{name:<32}{cells[0]}   {cells[1]}"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def report(measured: Measured, seed: int, took: float) -> None:
    targets, outcomes, hidden = measured.targets, measured.outcomes, measured.hidden
    screens = len({t.screen for t in targets})
    print(
        f"\nTarget robustness benchmark: {len(targets) - hidden} step targets on {screens} demo "
        f"screens, {len(KINDS)} kinds of change (+ {len(COMBINED)} combined), seed {seed}, "
        "Chromium"
    )
    if hidden:
        print(f"({hidden} targets not shown on their screen as served: left out)")
    columns = f"{'correct':>10}{'wrong':>10}{'not found':>11}"
    methods = f"{'':<32}{'by fingerprint (locate.js)':^31}   {'by selector alone (baseline)':^31}"
    print("\n" + methods.rstrip())
    print(f"{'variant':<32}{columns}   {columns}")
    single = [o for o in outcomes if o.variant in KINDS]
    for variant in KINDS:
        print(row(variant, [o for o in single if o.variant == variant]))
    print(row(f"all {len(KINDS)} kinds", single))
    for variant in COMBINED:
        print(row(f"{variant} *", [o for o in outcomes if o.variant == variant]))
    print("* two changes at once, outside the goal")
    total = shares(single, "fingerprint")
    met = total["correct"] >= GOAL_CORRECT and total["wrong"] == 0
    print(
        f"\ngoal: ≥ {GOAL_CORRECT:.0f} % correct across the {len(KINDS)} kinds, 0 % wrong; "
        f"by fingerprint {total['correct']:.1f} % correct, {total['wrong']:.1f} % wrong: "
        f"{'met' if met else 'NOT met'} (by selector alone "
        f"{shares(single, 'selector')['correct']:.1f} % correct)"
    )
    found_instead = [(t, d) for t, d in measured.removed if d["found"]]
    checked = len(measured.removed)
    print(
        f"control, each target taken out of its screen (nothing is right): another field found "
        f"for {len(found_instead)} of {checked} (goal 0)"
    )
    if measured.removed:
        target, d = max(measured.removed, key=lambda pair: float(pair[1]["best"]))
        print(
            f"  the closest call: {d['closest']} for {target.slug}/{target.step_id} "
            f"({target.selector}), score {d['best']:.2f}, MINIMUM {measured.minimum}"
        )
    weak = sum(1 for o in single if o.fingerprint == "correct" and o.detail.get("weak"))
    print(f"found correctly, but weak (score below WEAK): {weak} of {len(single)}")
    failed = [o for o in outcomes if o.fingerprint != "correct"]
    if failed or found_instead:
        print(
            "\nWrong or not found by fingerprint (score: of what was found; true: of the true "
            "field;\nnext: of the best other field, and which it is, by its tag and id as served):"
        )
    for o in failed:
        d = o.detail
        print(
            f"  {o.fingerprint:<7} {o.variant:<30} {o.target.screen:<28} "
            f"{o.target.slug}/{o.target.step_id} ({o.target.selector}): score {score(d['score'])}"
            f", true {score(d['own'])}, next {score(d['other'])} {d['runner'] or ''}"
        )
    for target, d in found_instead:
        print(
            f"  wrong   {'target taken out':<30} {target.screen:<28} "
            f"{target.slug}/{target.step_id} ({target.selector}): found {d['found']}, "
            f"score {score(d['score'])}"
        )
    for o in (o for o in outcomes if o.selector == "wrong"):
        print(
            f"  selector wrong: {o.variant} {o.target.screen} {o.target.slug}/{o.target.step_id} "
            f"({o.target.selector}) found {o.detail['plain_found']}"
        )
    speed = measured.speed
    print(
        f"\ntime to find a renamed field among 1,000 labelled fields: first "
        f"{speed['first']:.0f} ms, then {speed['repeat']:.0f} ms (median of 10); found right: "
        f"{'yes' if speed['found'] else 'NO'}; the selector alone {speed['selector']:.2f} ms"
    )
    print(f"\ntook {took:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    start = time.perf_counter()
    measured = measure(args.seed)
    report(measured, args.seed, time.perf_counter() - start)


if __name__ == "__main__":
    main()
