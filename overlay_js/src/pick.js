// @ts-check
/* global h, t, fingerprintOf, rectOf */
/* exported createPicker, patternOf */
// Pointing for an expert: the editor (on the service's origin) opened this screen and asked
// for a step's field, or for the screen a task belongs on. For a field, the element under
// the pointer is outlined and a click picks it (the host page does not get that click);
// with the keyboard, Tab outlines what has the focus and Enter picks it. For a screen, the
// expert goes to it in this window and chooses "Dit scherm". Escape stops. What is typed in
// fields is never read: only what the element is (selectorOf, fingerprintOf), and the
// screen's address with its case number made `:zaak` (patternOf).

const NAMING = ['id', 'name', 'label', 'aria_label', 'placeholder', 'text', 'data'];

/** A CSS selector that finds `el` alone in its document or shadow root: its id, its name,
 * its ARIA label, else its path from the nearest ancestor with an id. Ids that look made by
 * a program (three digits in a row) are passed over: the next release makes new ones.
 * @param {Element} el */
function selectorOf(el) {
  const root = /** @type {Document | ShadowRoot} */ (el.getRootNode());
  /** @param {string} selector */
  const alone = (selector) => { try { return root.querySelectorAll(selector).length === 1; } catch { return false; } };
  /** @param {Element} node */
  const byId = (node) => (node.id && !/[0-9]{3}/.test(node.id) && alone(`#${CSS.escape(node.id)}`) ? `#${CSS.escape(node.id)}` : null);
  const tag = el.localName;
  const named = ['name', 'aria-label'].map((a) => el.getAttribute(a) && `${tag}[${a}="${CSS.escape(/** @type {string} */ (el.getAttribute(a)))}"]`)
    .find((selector) => selector && alone(selector));
  if (byId(el) || named) return /** @type {string} */ (byId(el) || named);
  const path = [];
  for (let node = /** @type {Element | null} */ (el); node && path.length < 6; node = node.parentElement) {
    const id = node === el ? null : byId(node);
    if (id) { path.unshift(id); break; }
    const name = node.localName;
    const same = node.parentElement ? [...node.parentElement.children].filter((c) => c.localName === name) : [node];
    path.unshift(same.length > 1 ? `${name}:nth-of-type(${same.indexOf(node) + 1})` : name);
  }
  return path.join(' > ');
}

/** The address pattern of a screen for a context rule: the case's own segment becomes
 * `:zaak`, any other that looks like a number made by a program (three digits) `*`.
 * @param {string} path
 * @param {string | null} caseRef */
function patternOf(path, caseRef) {
  return path.split('/').map((segment) => {
    let text = segment;
    try { text = decodeURIComponent(segment); } catch { /* kept as it is */ }
    return caseRef && text === caseRef ? ':zaak' : /[0-9]{3}/.test(text) ? '*' : segment;
  }).join('/');
}

/** The innermost element of an event, also inside open shadow roots; a label stands for its
 * field.
 * @param {Event} e */
function pickedBy(e) {
  const el = /** @type {Element} */ (e.composedPath()[0]);
  return el instanceof HTMLLabelElement && el.control ? el.control : el;
}

/** @param {HTMLElement} layer  the overlay's layer over the page (in its shadow root) */
function createPicker(layer) {
  const ring = h('div', { class: 'pk-ring', hidden: true });
  const said = h('p', {});
  const stop = h('button', { class: 'pk-stop', type: 'button', text: t('Stoppen (Esc)') });
  const thisScreen = h('button', { class: 'pk-stop', type: 'button', text: t('Dit scherm') });
  const bar = h('div', { class: 'pk-bar', role: 'status' }, said, thisScreen, stop);
  bar.hidden = true;
  layer.append(ring, bar);
  /** @type {{ picked: (found: PickedField) => void, stopped: () => void } | null} */
  let asked = null;
  /** @type {{ chosen: () => void, stopped: () => void } | null} */
  let screenAsked = null;

  /** Ours: the overlay's own element (the bar, the panel) is never picked.
   * @param {Event} e */
  const ours = (e) => e.composedPath().some((n) => n instanceof Element && n.localName === 'epss-overlay');

  /** @param {Element | null} el */
  function outline(el) {
    ring.hidden = !el;
    if (!el) return;
    const r = rectOf(el);
    Object.assign(ring.style, { left: `${r.left}px`, top: `${r.top}px`, width: `${r.width}px`, height: `${r.height}px` });
  }

  /** @param {Element} el */
  function pick(el) {
    const done = asked;
    end();
    const print = fingerprintOf(el);
    // Without anything that names it, a fingerprint would not tell this element apart.
    const named = NAMING.some((signal) => signal in print);
    if (done) done.picked({ selector: selectorOf(el), fingerprint: named ? print : null });
  }

  /** @param {PointerEvent} e */
  const onMove = (e) => { if (!ours(e)) outline(pickedBy(e)); };
  /** @param {MouseEvent} e */
  const onClick = (e) => {
    if (ours(e)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    pick(pickedBy(e));
  };
  /** @param {FocusEvent} e */
  const onFocus = (e) => { if (!ours(e)) outline(pickedBy(e)); };
  /** @param {KeyboardEvent} e */
  const onKey = (e) => {
    if (e.key === 'Escape') { e.preventDefault(); cancel(); return; }
    if (e.key !== 'Enter' || ours(e)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    pick(pickedBy(e));
  };
  // Pressing the host's own controls does nothing while picking: no submit, no navigation.
  /** @param {Event} e */
  const hold = (e) => { if (!ours(e)) { e.preventDefault(); e.stopImmediatePropagation(); } };
  const listeners = /** @type {[string, (e: any) => void][]} */ ([['pointermove', onMove], ['click', onClick],
    ['focusin', onFocus], ['keydown', onKey], ['pointerdown', hold], ['mousedown', hold], ['submit', hold]]);

  /** @param {KeyboardEvent} e */
  const onEscape = (e) => { if (e.key === 'Escape') { e.preventDefault(); cancel(); } };

  function end() {
    listeners.forEach(([type, fn]) => removeEventListener(type, fn, true));
    removeEventListener('keydown', onEscape, true);
    outline(null);
    bar.hidden = true;
    asked = null;
    screenAsked = null;
  }

  function cancel() {
    const done = asked || screenAsked;
    end();
    if (done) done.stopped();
  }
  stop.addEventListener('click', cancel);
  thisScreen.addEventListener('click', () => {
    const done = screenAsked;
    end();
    if (done) done.chosen();
  });

  return {
    /** Starts pointing for the step titled `step` (again: the earlier one is stopped).
     * @param {string} step
     * @param {(found: PickedField) => void} picked
     * @param {() => void} stopped */
    start(step, picked, stopped) {
      cancel();
      asked = { picked, stopped };
      said.textContent = t('Wijs het veld aan voor: {s}. Klik erop, of ga er met Tab naartoe en druk op Enter.', { s: step });
      thisScreen.hidden = true;
      bar.hidden = false;
      listeners.forEach(([type, fn]) => addEventListener(type, fn, true));
    },
    /** Asks for the screen a task belongs on: the expert goes there and chooses it.
     * @param {() => void} chosen
     * @param {() => void} stopped */
    chooseScreen(chosen, stopped) {
      cancel();
      screenAsked = { chosen, stopped };
      said.textContent = t('Ga naar het scherm waarop de taak hoort en kies dan ‘Dit scherm’.');
      thisScreen.hidden = false;
      bar.hidden = false;
      addEventListener('keydown', onEscape, true);
    },
    cancel,
  };
}
