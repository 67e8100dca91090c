// @ts-check
/* global h, throttle, prefersReducedMotion, locate, rectOf */
/* exported createHighlighter */
// Highlight: the spotlight on the host page for a step with a target hint.

// What the note beside a field must not cover: the page's other fields and buttons.
const NEIGHBOURS = 'input:not([type=hidden]),select,textarea,button,a[href]';

/** The spotlight on the host page. `layer` is an empty element inside the overlay's shadow root
 * (the caller appends it, before the panel, so the ring stays under the panel).
 * options.onMissing(selectors) is called once when the step's field is not found within
 * options.waitMs (default 3000); options.onFound(match) once when it is (locate.js says how).
 * @param {HTMLElement} layer
 * @param {{ waitMs?: number, onMissing?: (selectors: string[]) => void,
 *   onFound?: (match: Located) => void }} [options] */
function createHighlighter(layer, options) {
  const {waitMs = 3000, onMissing, onFound} = options || {};
  /** @type {string[]} */
  let selectors; // of the current show(); null when hidden
  /** @type {Fingerprint | null} */
  let print; // of the current show(): what the field looked like, when known
  /** @type {Element} */
  let target;
  /** @type {HTMLElement} */
  let box;
  /** @type {HTMLElement | null} */
  let note = null; // beside the ring: what the step says about this field
  /** @type {number} */
  let frame;
  /** @type {number} */
  let timer;
  /** @type {(element: Element | null) => void} */
  let settle; // resolves show()'s promise, while it waits for the first match
  /** @type {boolean} */
  let dead;
  layer.classList.add('hl-layer');

  // Shown: it has a box and is not display:none or visibility:hidden.
  /** @param {Element} el */
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return (r.width || r.height) && (!el.checkVisibility || el.checkVisibility({visibilityProperty: true}));
  };

  // The box at the target's rectangle in viewport coordinates (so fixed and transformed
  // ancestors need nothing special), or no box while the target is gone.
  const place = () => {
    frame = 0;
    if (target && !visible(target)) target = null;
    if (!target) {
      if (box) box.remove();
      box = null;
      return;
    }
    if (!box) box = layer.appendChild(h('div', {class: 'hl-box'}));
    const r = rectOf(target);
    for (const k of /** @type {const} */ (['left', 'top', 'width', 'height'])) box.style[k] = r[k] + 'px';
    if (note) {
      if (note.parentNode !== box) box.append(note);
      placeNote(note, r);
    }
  };

  // The note where it covers none of the page's other controls (the next field must stay
  // visible as the person tabs on): beside the field where the page has room, else under
  // it, else above it; in view. Where every spot covers one, where it does not cover the
  // field that has the focus (placed again as the focus moves); else under it.
  /** @param {HTMLElement} at
   * @param {ReturnType<typeof rectOf>} r */
  const placeNote = (at, r) => {
    const pageRight = innerWidth - parseFloat(getComputedStyle(document.documentElement).marginRight);
    const room = pageRight - r.right - 16;
    const others = [...document.querySelectorAll(NEIGHBOURS)].filter((c) => c !== target && visible(c))
      .map((c) => c.getBoundingClientRect());
    const focused = document.activeElement && document.activeElement !== target
      && document.activeElement.matches(NEIGHBOURS) ? [document.activeElement.getBoundingClientRect()] : [];
    /** @param {DOMRect[]} avoided
     * @returns {(spot: string) => boolean} */
    const clearOf = (avoided) => (spot) => {
      at.className = `hl-note ${spot}`;
      at.style.maxWidth = spot === 'hl-beside' ? `${Math.min(room, 384)}px` : '';
      const n = at.getBoundingClientRect();
      const inView = n.top >= 0 && n.bottom <= innerHeight && n.right <= pageRight;
      const covers = avoided.some((c) => c.left < n.right && n.left < c.right && c.top < n.bottom && n.top < c.bottom);
      return inView && !covers;
    };
    const spots = room >= 192 ? ['hl-beside', '', 'hl-above'] : ['', 'hl-above'];
    if (!spots.some(clearOf(others)) && !spots.some(clearOf(focused))) {
      clearOf([])(r.bottom + 8 + at.offsetHeight > innerHeight ? 'hl-above' : '');
    }
  };
  const schedule = () => { if (selectors && !frame) frame = requestAnimationFrame(place); };

  // Finds the target when there is none (yet, or any more), then repositions: by the
  // selectors and the fingerprint, in the page, its open shadow roots and same-origin frames.
  const look = () => {
    if (!selectors) return;
    if (!target || !visible(target)) {
      const match = locate(selectors, print, visible);
      target = match && match.element;
      if (!target) return place();
      resizes.disconnect();
      resizes.observe(target);
      resizes.observe(document.documentElement);
      place();
      if (settle) found(match); // else: back after it went away, quietly
    }
    schedule();
  };

  // Scrolls to a newly found target unless it is in view and nothing covers its top, middle
  // or bottom (a sticky bar of the host may cover an edge only). Seen from its own document
  // or shadow root, in its own frame's viewport.
  /** @param {Located} match */
  const found = (match) => {
    const el = match.element;
    clearTimeout(timer);
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const root = /** @type {Document | ShadowRoot} */ (el.getRootNode());
    const clear = [r.top + 2, r.top + r.height / 2, r.bottom - 2].every((y) => el.contains(root.elementFromPoint(x, y)));
    if (r.top < 0 || r.bottom > el.ownerDocument.defaultView.innerHeight || !clear) {
      el.scrollIntoView({block: 'center', behavior: prefersReducedMotion() ? 'instant' : 'smooth'});
    }
    settle(el);
    settle = null;
    if (onFound) onFound(match);
  };

  const lookSoon = throttle(look, 100);
  const mutations = new MutationObserver(lookSoon);
  const resizes = new ResizeObserver(schedule);
  // Scrolling any scroller reaches the document in the capture phase.
  /** @type {[any, string, () => void][]} */
  const events = [[document, 'scroll', schedule], [document, 'transitionend', schedule],
    [document, 'animationend', schedule], [window, 'resize', lookSoon], [document, 'focusin', schedule]];
  /** @param {'add' | 'remove'} how */
  const listen = (how) => events.forEach(([on, type, fn]) => on[how + 'EventListener'](type, fn, true));

  function hide() {
    if (note) note.remove();
    note = null;
    if (settle) settle(null);
    settle = selectors = print = target = null;
    clearTimeout(timer);
    cancelAnimationFrame(frame);
    mutations.disconnect();
    resizes.disconnect();
    listen('remove');
    place();
  }

  /** Shows the step's field (locate.js: found by the selectors, or by what it looked like);
   * resolves with it, or with null when hidden before it is found.
   * @param {string[]} list
   * @param {Fingerprint | null} [fingerprint]
   * @returns {Promise<Element | null>} */
  function show(list, fingerprint) {
    hide();
    if (dead) return Promise.resolve(null);
    selectors = [...(list || [])];
    print = fingerprint || null;
    const shown = new Promise((resolve) => { settle = resolve; });
    listen('add');
    mutations.observe(document.documentElement, {childList: true, subtree: true, attributes: true, characterData: true});
    timer = setTimeout(() => {
      hide();
      if (onMissing) onMissing(list);
    }, waitMs);
    look();
    return shown;
  }

  return {
    show, hide,
    /** Shows `content` beside the ring (under the field, or above it near the bottom), or
     * takes it away (null). It stays while the same target is shown.
     * @param {Node | null} content */
    note(content) {
      if (note) note.remove();
      note = content && h('div', {class: 'hl-note'}, content);
      // At once while the ring is up: a note replaced must not be gone for a frame.
      if (box) place(); else schedule();
    },
    destroy() { hide(); dead = true; },
  };
}
