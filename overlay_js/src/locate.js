// @ts-check
/* exported fingerprintOf, locate, rectOf, searchRoots */
// Locate: a step's field on the host page, found again by its selectors and by what it
// looked like when it was picked (its fingerprint), in the page, its open shadow roots and
// its same-origin frames. A wrong field is worse than none: a match must score enough and
// stand clearly above the next, else there is none.

// What each signal weighs. Names and ids are exact; what a person reads (label, text,
// heading) may be reworded a little. A field's own name for a person (label, aria_label)
// outlasts a release best; ids are regenerated, and the step's selectors (mostly its id)
// go with them. The heading is shared by every field of its section and the tag, type and
// role by nearly every candidate: they tell little apart. The position tells look-alikes
// apart (a panel and its block both called "Aanvrager"). Tuned with bench/targets.py
// (docs/benchmarks.md): every kind of change found, and no other field when one is gone.
/** @type {Record<string, number>} */
const WEIGHTS = {id: 2, name: 3, label: 5, aria_label: 5, text: 2, placeholder: 2, data: 2,
  heading: 0.5, tag: 0.25, type: 0.25, role: 0.25, position: 1.5};
const SELECTED = 1; // what it weighs that one of the step's selectors finds the element
const WORDED = ['label', 'aria_label', 'text', 'placeholder', 'heading'];
const MINIMUM = 0.8; // of the weight of the signals the fingerprint has
const MARGIN = 0.15; // the best must lead the next by this much
const WEAK = 0.8; // below this a match is found, and reported as weak
const CONTROLS = 'input:not([type=hidden]),select,textarea,button,a[href],[role],[contenteditable],[tabindex]';
/** @type {Record<string, string>} */
const ROLES = {button: 'button', a: 'link', select: 'combobox', textarea: 'textbox',
  section: 'region', fieldset: 'group', form: 'form', nav: 'navigation', table: 'table'};
/** @type {Record<string, string>} */
const INPUT_ROLES = {checkbox: 'checkbox', radio: 'radio', button: 'button', submit: 'button',
  range: 'slider', number: 'spinbutton', search: 'searchbox'};

/** @param {string | null | undefined} value */
const tidy = (value) => (value || '').replace(/\s+/g, ' ').trim().slice(0, 300) || null;
// Values that may be about a person (a case number, a BSN, an e-mail address) or change
// each session are never kept.
/** @param {string | null} value */
const notPersonal = (value) => (value && !/[0-9]{5}|@/.test(value) ? value : null);

/** The text of elements, a space between the texts of their parts, without that of the
 * form controls inside them.
 * @param {Element[]} elements */
const textOf = (elements) => tidy(elements.map((el) => {
  const texts = [];
  const walker = el.ownerDocument.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('select,textarea')) texts.push(node.nodeValue);
  }
  return texts.join(' ');
}).join(' '));

/** @param {Element} el */
function roleOf(el) {
  const tag = el.localName;
  return el.getAttribute('role') || (tag === 'input'
    ? INPUT_ROLES[(el.getAttribute('type') || 'text').toLowerCase()] || 'textbox'
    : tag === 'a' && !el.hasAttribute('href') ? null : ROLES[tag] || null);
}

/** @param {Element} el */
function labelOf(el) {
  const labels = /** @type {HTMLInputElement} */ (el).labels;
  const label = labels && labels.length ? labels[0] : el.closest('label');
  return label ? textOf([label]) : null;
}

/** @param {Element} el */
function ariaLabelOf(el) {
  const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
  const root = /** @type {Document | ShadowRoot} */ (el.getRootNode());
  const named = ids.map((id) => root.getElementById(id)).filter(Boolean);
  return tidy(el.getAttribute('aria-label')) || (named.length ? textOf(named) : null);
}

// The legend of its fieldset, or else the first heading of its section or form.
/** @param {Element} el */
function headingOf(el) {
  const fieldset = el.parentElement && el.parentElement.closest('fieldset');
  const legend = fieldset && fieldset.querySelector(':scope > legend');
  if (legend) return textOf([legend]);
  const part = el.parentElement && el.parentElement.closest('section,form,article,[role=group],[role=region],dialog');
  const heading = part && part.querySelector('h1,h2,h3,h4,h5,h6');
  return heading ? textOf([heading]) : null;
}

// Its place (1, 2, …) among the elements of its kind in its form, or in its document.
// `places` keeps each form's numbering while one search lasts: numbered once, not once for
// every element scored.
/** @param {Element} el
 * @param {Map<Node, Map<Element, number>>} [places] */
function positionOf(el, places = new Map()) {
  const scope = el.closest('form') || el.getRootNode();
  if (!places.has(scope)) {
    /** @type {Record<string, number>} */
    const counts = {};
    const numbers = new Map();
    for (const each of /** @type {ParentNode} */ (scope).querySelectorAll('*')) {
      numbers.set(each, counts[each.localName] = (counts[each.localName] || 0) + 1);
    }
    places.set(scope, numbers);
  }
  return places.get(scope).get(el) || null;
}

/** @param {Element} el */
function dataOf(el) {
  /** @type {Record<string, string>} */
  const data = {};
  for (const {name, value} of el.attributes) {
    if (Object.keys(data).length < 5 && /^data-[a-z0-9-]{1,40}$/.test(name) &&
        !name.startsWith('data-epss') && notPersonal(tidy(value))) data[name] = tidy(value);
  }
  return Object.keys(data).length ? data : null;
}

/** @param {Element} el */
function textOfPressable(el) {
  const role = roleOf(el);
  const pressed = role === 'button' || role === 'link' || role === 'tab' || role === 'menuitem';
  return pressed && !/^(input|select|textarea)$/.test(el.localName) ? notPersonal(textOf([el])) : null;
}

// Each signal of a fingerprint, read from an element (null: it has none).
/** @type {Record<string, (el: Element, places?: Map<Node, Map<Element, number>>) => any>} */
const SIGNALS = {
  tag: (el) => el.localName,
  type: (el) => (/^(input|button)$/.test(el.localName) && tidy(el.getAttribute('type')) || '').toLowerCase() || null,
  id: (el) => notPersonal(tidy(el.id)),
  name: (el) => notPersonal(tidy(el.getAttribute('name'))),
  label: labelOf,
  aria_label: ariaLabelOf,
  role: roleOf,
  placeholder: (el) => tidy(el.getAttribute('placeholder')),
  text: textOfPressable,
  heading: headingOf,
  data: dataOf,
  position: positionOf,
};

/** What `el` looks like, as a task file keeps it (FieldFingerprint): never a value typed in
 * it, nor anything that looks like a number about a person.
 * @param {Element} el
 * @returns {Fingerprint} */
function fingerprintOf(el) {
  /** @type {Record<string, any>} */
  const print = {};
  for (const [key, read] of Object.entries(SIGNALS)) {
    const value = read(el);
    if (value != null) print[key] = value;
  }
  return /** @type {Fingerprint} */ (print);
}

// How alike two texts a person reads are: 1 when equal but for case and spaces, else the
// share of letter pairs they have in common (Sørensen–Dice), counted from 0.6 up.
/** @param {string} a
 * @param {string} b */
function alike(a, b) {
  const norm = (/** @type {string} */ s) => s.toLowerCase().replace(/[\s:*]+/g, ' ').trim();
  const [x, y] = [norm(a), norm(b)];
  if (x === y) return 1;
  const pairs = (/** @type {string} */ s) => {
    const t = s.replace(/ /g, '');
    return [...t].slice(1).map((c, i) => t[i] + c);
  };
  const [p, q] = [pairs(x), pairs(y)];
  const size = p.length + q.length;
  let common = 0;
  for (const pair of p) {
    const at = q.indexOf(pair);
    if (at >= 0) { common++; q.splice(at, 1); }
  }
  const dice = size ? (2 * common) / size : 0;
  return dice >= 0.6 ? dice : 0;
}

/** How much `el` looks like `print`: 0..1, the weight of its matching signals over the
 * weight of all the fingerprint has, but those in `unsaid`; a selector of the step that
 * finds it is one more (`selected` null: the selectors say nothing).
 * @param {Fingerprint} print
 * @param {Element} el
 * @param {boolean | null} selected
 * @param {string[]} unsaid
 * @param {Map<Node, Map<Element, number>>} places see positionOf */
function scoreOf(print, el, selected, unsaid, places) {
  let total = selected == null ? 0 : SELECTED;
  let got = selected ? SELECTED : 0;
  for (const [key, weight] of Object.entries(WEIGHTS)) {
    const want = /** @type {Record<string, any>} */ (print)[key];
    if (want == null || unsaid.includes(key)) continue;
    total += weight;
    const have = SIGNALS[key](el, places);
    if (have == null) continue;
    if (key === 'data') {
      const names = Object.keys(want);
      got += (weight * names.filter((n) => have[n] === want[n]).length) / (names.length || 1);
    } else if (WORDED.includes(key)) {
      got += weight * alike(String(want), String(have));
    } else if (String(have).toLowerCase() === String(want).toLowerCase()) {
      got += weight;
    }
  }
  return total ? got / total : 0;
}

/** Where to look: the page, the open shadow roots in it and the documents of its
 * same-origin frames (and theirs), but never the overlay's own.
 * @returns {(Document | ShadowRoot)[]} */
function searchRoots() {
  /** @type {(Document | ShadowRoot)[]} */
  const roots = [];
  /** @param {Document | ShadowRoot} root */
  const walk = (root) => {
    roots.push(root);
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot && el.localName !== 'epss-overlay') walk(el.shadowRoot);
      if (el.localName === 'iframe' || el.localName === 'frame') {
        try {
          const inner = /** @type {HTMLIFrameElement} */ (el).contentDocument;
          if (inner && inner.documentElement) walk(inner);
        } catch { /* another origin: not ours to read */ }
      }
    }
  };
  walk(document);
  return roots;
}

/** Its rectangle in the top page's viewport, also inside frames.
 * @param {Element} el */
function rectOf(el) {
  const r = el.getBoundingClientRect();
  let [left, top] = [r.left, r.top];
  for (let view = /** @type {Window} */ (el.ownerDocument.defaultView); view && view.frameElement; view = view.parent) {
    const frame = view.frameElement;
    const f = frame.getBoundingClientRect();
    left += f.left + frame.clientLeft;
    top += f.top + frame.clientTop;
  }
  return {left, top, width: r.width, height: r.height, right: left + r.width, bottom: top + r.height};
}

/** The step's field. Without a fingerprint: the first visible element a selector finds.
 * With one: the visible element most like it (a selector finding it counts too) when it is
 * like enough and clearly above the next, else what the selectors find; `weak` when it only
 * just looks like it, `moved` when no selector finds it.
 * @param {string[]} selectors
 * @param {Fingerprint | null | undefined} print
 * @param {(el: Element) => boolean} visible
 * @returns {Located | null} */
function locate(selectors, print, visible) {
  const roots = searchRoots();
  /** @type {Set<Element>} */
  const selected = new Set();
  for (const selector of selectors) {
    for (const root of roots) {
      try { root.querySelectorAll(selector).forEach((el) => selected.add(el)); } catch { /* not a valid selector */ }
    }
  }
  if (!print) {
    const element = [...selected].find(visible);
    return element ? {element, score: 1, weak: false, moved: false} : null;
  }
  const candidates = new Set(selected);
  for (const root of roots) root.querySelectorAll(CONTROLS + ',' + print.tag).forEach((el) => candidates.add(el));
  // A release that renames ids renames them all, and the selectors that name them find
  // nothing: then they tell no element from another, and are left out of every score.
  const said = [...selected].some(visible) ? selected.has.bind(selected) : null;
  const unsaid = print.id && !roots.some((root) => root.getElementById(print.id)) ? ['id'] : [];
  /** @type {Map<Element, number>} */
  const scores = new Map();
  const places = new Map();
  let best = null;
  let [top, next] = [0, 0];
  for (const element of candidates) {
    if (!visible(element)) continue;
    const score = scoreOf(print, element, said && said(element), unsaid, places);
    scores.set(element, score);
    if (score > top) [best, top, next] = [element, score, top];
    else if (score > next) next = score;
  }
  // Another element than the selectors find is taken only when it is like enough and
  // clearly the most alike; else what the selectors find stays the field, as it would
  // without a fingerprint: hand-written selectors keep working on screens laid out otherwise.
  if (best && !selected.has(best) && top >= MINIMUM && top - next >= MARGIN) {
    return {element: best, score: top, weak: top < WEAK, moved: true};
  }
  const element = selected.has(best) ? best : [...selected].find(visible);
  if (!element) return null;
  const score = scores.get(element) || 0;
  return {element, score, weak: score < WEAK, moved: false};
}
