// @ts-check
// "Veld aanwijzen" in a step's form, "Scherm aanwijzen" in a new context rule and "Stappen
// opnemen": opens a screen of the case software in a window of its own and asks the help
// overlay there (a message from this origin) to let the expert point at the step's field,
// choose the screen the task belongs on, or record what they do there. What comes back, a
// selector and what the element looks like (never what is typed in it), the screen's app,
// address pattern and zaaktype, or one recorded action after another, fills the form; the
// expert saves it like any change, so it goes through the draft, its versions and review.
// Only the window this page opened, on a registered host app's origin, answering its own
// request, is listened to.
(function () {
  'use strict';

  const ASK_EVERY = 300; // ms between asks (each new page there has an overlay to ask)
  const ASK_FOR = 20000; // ms before the page says the screen does not answer

  /** @param {HTMLElement} box
   * @param {string} name
   * @param {Record<string, string>} [values] */
  function say(box, name, values) {
    const said = /** @type {HTMLElement} */ (box.querySelector('[data-pick-said]'));
    let text = box.getAttribute('data-text-' + name) || '';
    Object.entries(values || {}).forEach(function ([key, value]) { text = text.replace('{' + key + '}', value); });
    said.textContent = text;
  }

  /** What a person calls the element: its label, ARIA label, placeholder, text or name.
   * @param {{ fingerprint: Record<string, unknown> | null }} picked */
  function nameOf(picked) {
    const print = picked.fingerprint || {};
    const name = ['label', 'aria_label', 'placeholder', 'text', 'name'].map(function (k) { return print[k]; })
      .find(function (v) { return typeof v === 'string' && v; });
    return /** @type {string} */ (name || '');
  }

  /** Stops the session that runs (one window, one request at a time). */
  let stopRunning = function () {};

  /** @param {HTMLElement} box */
  function start(box) {
    const screen = /** @type {HTMLInputElement} */ (box.querySelector('input[type=url]'));
    const origins = (box.getAttribute('data-pick-origins') || '').split(' ');
    let url;
    try {
      url = new URL(screen.value.trim());
    } catch {
      say(box, 'bad-url');
      screen.focus();
      return;
    }
    if (origins.indexOf(url.origin) < 0) {
      say(box, 'unknown', { origin: url.origin });
      screen.focus();
      return;
    }
    const screenOrigin = url.origin;
    stopRunning();
    const request = crypto.randomUUID();
    const opened = window.open(url.href, 'epss-aanwijzen');
    if (!opened) { say(box, 'blocked'); return; }
    const win = opened;
    say(box, 'waiting');
    let heard = false;
    const asking = window.setInterval(function () {
      if (win.closed) { stopped(); return; }
      win.postMessage({ type: 'epss-pick', request: request, what: box.getAttribute('data-pick'),
        step: box.getAttribute('data-pick-step') }, screenOrigin);
    }, ASK_EVERY);
    const giveUp = window.setTimeout(function () {
      if (!heard) { say(box, 'silent'); stop(); }
    }, ASK_FOR);

    /** @param {MessageEvent} event */
    function listen(event) {
      const answer = event.data;
      if (event.source !== win || event.origin !== screenOrigin || !answer || answer.request !== request) return;
      if (answer.type === 'epss-pick-ready') {
        // Asked on: a screen the expert goes to in that window has an overlay of its own.
        if (!heard) say(box, 'ready');
        heard = true;
      } else if (answer.type === 'epss-picked' && typeof answer.selector === 'string') {
        fill(box, { selector: answer.selector, fingerprint: answer.fingerprint || null });
        stop();
        win.close();
      } else if (answer.type === 'epss-picked-screen' && typeof answer.url === 'string') {
        fillRule(box, { app: String(answer.app || ''), url: answer.url, title: String(answer.title || ''),
          marker: String(answer.marker || ''), zaaktype: String(answer.zaaktype || '') });
        stop();
        win.close();
      } else if (answer.type === 'epss-recorded' && typeof answer.selector === 'string') {
        addRecorded(box, { action: String(answer.action), selector: answer.selector, fingerprint: answer.fingerprint || null });
      } else if (answer.type === 'epss-pick-stopped') {
        stopped();
        if (box.getAttribute('data-pick') === 'opnemen') win.close(); // "Klaar": back to the list
      }
    }
    function stopped() {
      say(box, 'stopped');
      stop();
      const first = box.parentElement && box.parentElement.querySelector('[data-pick-recorded] input');
      if (first) /** @type {HTMLElement} */ (first).focus();
    }
    function stop() {
      window.clearInterval(asking);
      window.clearTimeout(giveUp);
      window.removeEventListener('message', listen);
    }
    stopRunning = stop;
    window.addEventListener('message', listen);
  }

  /** @param {HTMLElement} box
   * @param {{ selector: string, fingerprint: Record<string, unknown> | null }} picked */
  function fill(box, picked) {
    const form = /** @type {HTMLFormElement} */ (box.closest('form'));
    const target = /** @type {HTMLTextAreaElement} */ (form.querySelector('textarea[name=doelveld]'));
    const print = /** @type {HTMLInputElement} */ (box.querySelector('input[name=kenmerken]'));
    target.value = picked.selector;
    print.value = picked.fingerprint ? JSON.stringify(picked.fingerprint) : '';
    target.dispatchEvent(new Event('input', { bubbles: true }));
    say(box, 'picked', { name: '‘' + (nameOf(picked) || picked.selector) + '’' });
    target.focus();
  }

  /** A recorded action as a step to keep (ticked) or leave out, with its suggested title.
   * @param {HTMLElement} box
   * @param {{ action: string, selector: string, fingerprint: Record<string, unknown> | null }} done */
  function addRecorded(box, done) {
    const action = done.action === 'kiezen' && (done.fingerprint || {}).type === 'checkbox' ? 'aanvinken' : done.action;
    const named = box.getAttribute('data-title-' + action);
    if (!named) return;
    const name = nameOf(done).slice(0, 60);
    const title = name ? named.replace('{name}', name) : /** @type {string} */ (box.getAttribute('data-title-' + action + '-anders'));
    const recorded = /** @type {HTMLElement} */ (/** @type {HTMLElement} */ (box.parentElement).querySelector('[data-pick-recorded]'));
    const list = /** @type {HTMLOListElement} */ (recorded.querySelector('ol'));
    const item = document.createElement('li');
    const tick = document.createElement('input');
    tick.type = 'checkbox';
    tick.name = 'opgenomen';
    tick.id = 'opgenomen-' + (list.children.length + 1);
    tick.checked = true;
    tick.value = JSON.stringify({ title: title, selector: done.selector, fingerprint: done.fingerprint });
    const label = document.createElement('label');
    label.htmlFor = tick.id;
    label.textContent = title;
    item.append(tick, label);
    list.append(item);
    recorded.hidden = false;
    say(box, 'picked', { name: title });
  }

  /** @param {HTMLElement} box
   * @param {{ app: string, url: string, title: string, marker: string, zaaktype: string }} screen */
  function fillRule(box, screen) {
    const rule = /** @type {HTMLElement} */ (box.closest('fieldset.rule'));
    /** @param {string} name
     * @param {string} value */
    const set = function (name, value) {
      const input = /** @type {HTMLInputElement} */ (rule.querySelector('[name="' + name + '"]'));
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      return input;
    };
    set('regel_app', screen.app);
    set('regel_titel', screen.title);
    set('regel_zaaktype', screen.zaaktype);
    const address = set('regel_url', screen.url);
    const named = [screen.title && '‘' + screen.title + '’', screen.zaaktype].filter(Boolean);
    say(box, 'picked', { name: ['‘' + screen.url + '’'].concat(named).join(', ') });
    // A marker is only proposed: it makes the rule win over rules without one.
    const marker = /** @type {HTMLElement} */ (box.querySelector('[data-pick-marker]'));
    marker.hidden = !screen.marker;
    marker.dataset.marker = screen.marker;
    /** @type {HTMLElement} */ (marker.firstElementChild).textContent =
      (box.getAttribute('data-text-marker') || '').replace('{marker}', screen.marker);
    // Which other screens of the application the address takes in, shown at once.
    const reach = /** @type {HTMLDetailsElement | null} */ (rule.querySelector('details.rule-reach'));
    if (reach) reach.open = true;
    address.focus();
  }

  document.addEventListener('click', function (event) {
    const button = event.target instanceof Element && event.target.closest('[data-pick-start]');
    const box = button && /** @type {HTMLElement | null} */ (button.closest('[data-pick]'));
    if (box) start(box);
  });

  // The proposed marker taken into the rule's markers.
  document.addEventListener('click', function (event) {
    const button = event.target instanceof Element && event.target.closest('[data-pick-use-marker]');
    const proposal = button && /** @type {HTMLElement | null} */ (button.closest('[data-pick-marker]'));
    const rule = proposal && proposal.closest('fieldset.rule');
    if (!proposal || !rule) return;
    const markers = /** @type {HTMLInputElement} */ (rule.querySelector('[name="regel_markers"]'));
    const taken = markers.value.split(',').map(function (m) { return m.trim(); }).filter(Boolean);
    if (taken.indexOf(proposal.dataset.marker || '') < 0) taken.push(proposal.dataset.marker || '');
    markers.value = taken.join(', ');
    markers.dispatchEvent(new Event('input', { bubbles: true }));
    proposal.hidden = true;
    markers.focus();
  });

  // Recorded steps added: the list starts anew.
  document.addEventListener('htmx:afterRequest', function (event) {
    const form = /** @type {CustomEvent} */ (event).detail.elt;
    // (editor.js lets htmx swap a refused answer too: only a stored one clears the list)
    const stored = event.detail.xhr && event.detail.xhr.status < 300;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-record-form') || !stored) return;
    const recorded = /** @type {HTMLElement} */ (form.querySelector('[data-pick-recorded]'));
    /** @type {HTMLElement} */ (recorded.querySelector('ol')).textContent = '';
    recorded.hidden = true;
    /** @type {HTMLElement} */ (form.querySelector('[data-pick-said]')).textContent = '';
  });

  // The field typed by hand: what was pointed at no longer describes it.
  document.addEventListener('input', function (event) {
    const target = event.target;
    if (!event.isTrusted || !(target instanceof HTMLTextAreaElement) || target.name !== 'doelveld') return;
    const form = target.closest('form');
    const print = form && /** @type {HTMLInputElement | null} */ (form.querySelector('input[name=kenmerken]'));
    if (print && print.value) {
      print.value = '';
      const box = /** @type {HTMLElement} */ (print.closest('[data-pick]'));
      say(box, 'typed');
    }
  });
})();
