// @ts-check
/* global h, t, fingerprintOf, rectOf, searchRoots */
/* exported createPicker, patternOf, screenTitleOf, markerOf */
// Pointing for an expert: the editor (on the service's origin) opened this screen and asked
// for a step's field, or for the screen a task belongs on. For a field, the element under
// the pointer is outlined and a click picks it (the host page does not get that click);
// with the keyboard, Tab outlines what has the focus and Enter picks it. For a screen, the
// expert goes to it in this window and chooses "Dit scherm". Escape stops. What is typed in
// fields is never read: only what the element is (selectorOf, fingerprintOf), and the
// screen's address with its case number made `:zaak` (patternOf) and the part of its title
// that names it (screenTitleOf). To record, the expert
// works through the task on the live screens: each button or link pressed and each field
// filled in or chosen is sent as a draft step's action and element, never what was typed.

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

/** The part of a screen's title that names the screen, for a context rule's "title
 * contains": the title's first part (before a dash, bar or colon), unless it holds the case
 * or a number made by a program; then none (the rest names the application, on every
 * screen alike).
 * @param {string} title
 * @param {string | null} caseRef */
function screenTitleOf(title, caseRef) {
  const first = title.split(/\s+[-–—|·]\s+|:\s+/)[0].trim();
  return /[0-9]{3}/.test(first) || (caseRef && first.includes(caseRef)) ? '' : first.slice(0, 200);
}

/** A marker that may tell this screen from others at the same address (a single-page
 * application's states): the id of its main heading, else of a form, unless the id looks
 * made by a program (not the main area's: that is every page's skip-link target). Only
 * proposed: a rule with a marker wins over rules without one.
 * @param {Document} doc */
function markerOf(doc) {
  const found = ['h1[id]', 'form[id]'].map((selector) => [...doc.querySelectorAll(selector)]
    .find((el) => !/[0-9]{3}/.test(el.id) && doc.querySelectorAll(`#${CSS.escape(el.id)}`).length === 1))
    .find(Boolean);
  return found ? `#${CSS.escape(found.id)}` : '';
}

/** What a person calls an element: its label, ARIA label, placeholder, text or name.
 * @param {Fingerprint} print */
function nameOf(print) {
  return [print.label, print.aria_label, print.placeholder, print.text, print.name].find((name) => name) || '';
}

/** The innermost element of an event, also inside open shadow roots; a label stands for its
 * field.
 * @param {Event} e */
function pickedBy(e) {
  const el = /** @type {Element} */ (e.composedPath()[0]);
  const control = el.localName === 'label' && /** @type {HTMLLabelElement} */ (el).control;
  return control || el;
}

// What a press is recorded on; a field is recorded when it gets input (`input` is composed,
// so it comes out of shadow roots too; `change` does not).
const PRESSED = 'button, a[href], summary, [role=button], [role=link], [role=tab], [role=menuitem], '
  + 'input[type=submit], input[type=button], input[type=reset], input[type=image]';
const CHOSEN = ['select', 'checkbox', 'radio'];

/** What an expert did with an element while recording: pressed it, filled it in or chose in
 * it.
 * @param {Element} el
 * @returns {RecordedAction['action']} */
function actionOn(el) {
  // (by name: an element in a frame is not an instance of this window's classes)
  const kind = el.localName === 'input' ? /** @type {HTMLInputElement} */ (el).type : el.localName;
  return CHOSEN.includes(kind) || el.getAttribute('role') === 'combobox' ? 'kiezen' : 'invullen';
}

/** @param {HTMLElement} layer  the overlay's layer over the page (in its shadow root) */
function createPicker(layer) {
  const ring = h('div', { class: 'pk-ring', hidden: true });
  const said = h('p', {});
  const last = h('p', { class: 'pk-last' });
  const stop = h('button', { class: 'pk-stop', type: 'button', text: t('Stoppen (Esc)') });
  const thisScreen = h('button', { class: 'pk-stop', type: 'button', text: t('Dit scherm') });
  // The bar covers part of the page: the expert moves it to the other edge to get there.
  const move = h('button', { class: 'pk-stop pk-move', type: 'button' });
  const bar = h('div', { class: 'pk-bar', role: 'status' }, h('div', {}, said, last), thisScreen, move, stop);
  /** @param {boolean} below */
  const place = (below) => {
    bar.classList.toggle('pk-bar--below', below);
    move.textContent = below ? '↑' : '↓';
    move.setAttribute('aria-label', below ? t('Balk naar boven') : t('Balk naar beneden'));
    move.title = /** @type {string} */ (move.getAttribute('aria-label'));
  };
  place(false);
  move.addEventListener('click', () => place(!bar.classList.contains('pk-bar--below')));
  bar.hidden = true;
  layer.append(ring, bar);
  /** @type {{ picked: (found: PickedField) => void, stopped: () => void } | null} */
  let asked = null;
  /** @type {{ chosen: () => void, stopped: () => void } | null} */
  let screenAsked = null;
  /** @type {{ recorded: (done: RecordedAction) => void, stopped: () => void } | null} */
  let recording = null;
  /** @type {WeakSet<Element>} fields recorded on this page: typing on adds no step */
  let filled = new WeakSet();

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

  /** @param {Element} el
   * @param {RecordedAction['action']} action */
  function record(el, action) {
    if (!recording) return;
    const print = fingerprintOf(el);
    last.textContent = t('Opgenomen: {s}', { s: nameOf(print) || el.localName });
    recording.recorded({ action, selector: selectorOf(el), fingerprint: NAMING.some((s) => s in print) ? print : null });
  }
  // The host page does what it always does while recording: these only look.
  /** @param {MouseEvent} e */
  // Only what the expert does: not what the page's own scripts fire.
  const onPress = (e) => {
    const el = !e.isTrusted || ours(e) || e.detail > 1 ? null : pickedBy(e).closest(PRESSED);
    if (el) record(el, 'klikken');
  };
  /** @param {Event} e */
  const onInput = (e) => {
    const el = /** @type {Element} */ (e.composedPath()[0]);
    if (!e.isTrusted || ours(e) || filled.has(el)) return;
    filled.add(el);
    record(el, actionOn(el));
  };
  const recorders = /** @type {[string, (e: any) => void][]} */ ([['click', onPress], ['input', onInput], ['keydown', onEscape]]);

  /** @type {[Window, string, (e: any) => void][]} */
  let listening = [];
  /** Listens, before the page does, on this window and its same-origin frames' (an event
   * in a frame does not reach the window around it).
   * @param {[string, (e: any) => void][]} pairs */
  function listen(pairs) {
    for (const root of searchRoots()) {
      // (a frame's document is not an instance of this window's Document)
      const view = root.nodeType === Node.DOCUMENT_NODE && /** @type {Document} */ (root).defaultView;
      if (!view) continue;
      for (const [type, fn] of pairs) {
        view.addEventListener(type, fn, true);
        listening.push([view, type, fn]);
      }
    }
  }

  function end() {
    listening.forEach(([view, type, fn]) => view.removeEventListener(type, fn, true));
    listening = [];
    outline(null);
    bar.hidden = true;
    last.textContent = '';
    asked = null;
    screenAsked = null;
    recording = null;
  }

  function cancel() {
    const done = asked || screenAsked || recording;
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
      stop.textContent = t('Stoppen (Esc)');
      said.textContent = t('Wijs het veld aan voor: {s}. Klik erop, of ga er met Tab naartoe en druk op Enter.', { s: step });
      thisScreen.hidden = true;
      bar.hidden = false;
      listen(listeners);
    },
    /** Asks for the screen a task belongs on: the expert goes there and chooses it.
     * @param {() => void} chosen
     * @param {() => void} stopped */
    chooseScreen(chosen, stopped) {
      cancel();
      screenAsked = { chosen, stopped };
      stop.textContent = t('Stoppen (Esc)');
      said.textContent = t('Ga naar het scherm waarop de taak hoort en kies dan ‘Dit scherm’.');
      thisScreen.hidden = false;
      bar.hidden = false;
      listen([['keydown', onEscape]]);
    },
    /** Records what the expert does on the screens of this window for the task titled
     * `task`, until Escape or "Klaar".
     * @param {string} task
     * @param {(done: RecordedAction) => void} recorded
     * @param {() => void} stopped */
    record(task, recorded, stopped) {
      cancel();
      recording = { recorded, stopped };
      filled = new WeakSet();
      last.textContent = '';
      said.textContent = t('Opnemen voor {s}: doe de taak. Elke knop die u indrukt en elk veld dat u invult, wordt een stap; wat u typt niet.', { s: task });
      stop.textContent = t('Klaar (Esc)');
      thisScreen.hidden = true;
      bar.hidden = false;
      listen(recorders);
    },
    cancel,
  };
}
