// @ts-check
/* global htmx */
// The editor pages (/redactie): focus and announcements after htmx swaps, the live Markdown
// preview, and "who is editing now" with what colleagues save, submit, publish or restore
// shown as it happens (server-sent events), and nothing typed lost on the way: unsaved text
// is kept for the tab and put back, and the browser asks before the page is left.
// No inline scripts anywhere (strict Content-Security-Policy): everything is wired here.
(function () {
  'use strict';

  const FOCUS = 'data-focus-after-swap';
  const SHOWN_STATUSES = [403, 409, 412, 422];

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute('hx-headers') || '{}')['x-csrftoken'] || '';
    } catch {
      return '';
    }
  }

  // ---- announcements and focus ----------------------------------------------------------

  /** @param {string | null | undefined} text */
  function announce(text) {
    const live = document.getElementById('editor-status');
    if (!live || !text) return;
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  /** Focuses the first element marked for it in `root` (or `root` itself), unless quiet;
   * the marks go either way.
   * @param {Element | Document} root
   * @param {boolean} quiet */
  function focusMarked(root, quiet) {
    /** @type {HTMLElement[]} */
    const marked = Array.from((root || document).querySelectorAll('[' + FOCUS + ']'));
    if (root instanceof Element && root.hasAttribute(FOCUS)) marked.unshift(/** @type {HTMLElement} */ (root));
    marked.forEach(function (el) { el.removeAttribute(FOCUS); });
    if (quiet || !marked.length) return;
    const target = marked[0];
    if (!target.hasAttribute('tabindex') && !target.matches('a, button, input, select, textarea')) {
      target.setAttribute('tabindex', '-1');
    }
    target.focus();
  }

  // Swaps caused by someone else's save must not move the focus: the paths of the requests
  // that fetch them (a count per path), each claimed by its own answer, not by "the next
  // swap": the person's own answer may settle first.
  /** @type {Map<string, number>} */
  const quietPaths = new Map();
  /** @type {WeakSet<XMLHttpRequest>} */
  const quietAnswers = new WeakSet();
  /** @param {string} path */
  function quietly(path) {
    quietPaths.set(path, (quietPaths.get(path) || 0) + 1);
    return path;
  }

  document.addEventListener('htmx:beforeSwap', function (event) {
    const xhr = event.detail.xhr;
    const path = event.detail.pathInfo ? event.detail.pathInfo.requestPath : '';
    const waiting = quietPaths.get(path) || 0;
    if (waiting > 0) quietAnswers.add(xhr);
    if (waiting > 1) quietPaths.set(path, waiting - 1); else quietPaths.delete(path);
    if (SHOWN_STATUSES.indexOf(xhr.status) >= 0 && xhr.getResponseHeader('X-Editor-Fragment')) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Out-of-band parts never take the focus. Their marks go at once, and only theirs: an
  // answer swapped but not yet settled keeps its own.
  document.addEventListener('htmx:oobAfterSwap', function (event) {
    if (event.target instanceof Element) focusMarked(event.target, true);
  });

  // htmx tells each element it swapped in, once settled.
  document.addEventListener('htmx:afterSettle', function (event) {
    const settled = event.target;
    if (settled instanceof Element) focusMarked(settled, quietAnswers.has(event.detail.xhr));
    // A form the server gave back with unsaved values (refused, or choices applied) is
    // kept like typed text; a step form swapped away with the list gets its text back.
    /** @type {NodeListOf<HTMLFormElement>} */
    const dirty = document.querySelectorAll('form[data-edit-form][data-dirty]');
    dirty.forEach(remember);
    restoreUnsaved();
    showFieldPreviews();
  });

  document.addEventListener('epss-announce', function (event) {
    announce(event.detail && event.detail.value);
  });

  // A refusal that is no fragment of the page (a role taken away, a step someone removed,
  // an expired form): the service says why in HX-Trigger, shown here; nothing is swapped.
  const refused = document.getElementById('editor-refused');
  document.addEventListener('epss-refused', function (event) {
    if (!refused) return;
    refused.textContent = (event.detail && event.detail.value) || '';
    refused.hidden = false;
    refused.focus();
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    if (refused && event.detail.successful) refused.hidden = true;
  });

  // ---- live Markdown preview ------------------------------------------------------------

  /** @type {Map<Element, number>} */
  const timers = new Map();
  let previews = new AbortController();

  // Logging out ends the login while this page is still shown: a preview asked for now
  // would be refused, and the browser would log that refusal as an error.
  function stopPreviews() {
    timers.forEach(function (timer) { window.clearTimeout(timer); });
    timers.clear();
    previews.abort();
    previews = new AbortController();
  }

  /** Shows the text of `textarea` as the task page would, in its data-preview box.
   * @param {HTMLTextAreaElement} textarea */
  function preview(textarea) {
    const box = document.getElementById(/** @type {string} */ (textarea.getAttribute('data-preview')));
    if (!box) return;
    const body = new URLSearchParams({ tekst: textarea.value });
    fetch('/redactie/voorbeeld', {
      method: 'POST', body: body, credentials: 'same-origin', signal: previews.signal,
      headers: { 'x-csrftoken': csrfToken(), 'Content-Type': 'application/x-www-form-urlencoded' },
    }).then(function (response) {
      if (!response.ok) throw new Error('preview ' + response.status);
      return response.text();
    }).then(function (html) {
      box.innerHTML = html; // sanitised by the server (epss/render.py)
      box.classList.remove('is-stale');
    }).catch(function () {
      box.classList.add('is-stale');
    });
  }

  document.addEventListener('input', function (event) {
    const el = /** @type {Element} */ (event.target);
    /** @type {HTMLFormElement | null} */
    const form = el.closest && el.closest('form[data-edit-form]');
    if (form) updateFieldPreview(form);
    if (form && !el.hasAttribute('data-try-checks')) { // a value tried is no change
      form.setAttribute('data-dirty', '1');
      remember(form);
    }
    if (!el.matches || !el.matches('textarea[data-preview]')) return;
    window.clearTimeout(timers.get(el));
    timers.set(el, window.setTimeout(function () {
      timers.delete(el);
      preview(/** @type {HTMLTextAreaElement} */ (el));
    }, 250));
  });

  // ---- help at the field: the tip and the checks as the desk will see them -----------------
  // The step form's preview runs the desk's own checks (overlay_js/src/checks.js, served as
  // /redactie/veldcontroles.js and loaded once a form with a preview is on the page) on what
  // the expert types in "Probeer de controles", with the checks the form describes now.

  const CHECK_INPUTS = [
    ['required', 'controle_verplicht'], ['bsn', 'controle_bsn'],
    ['pattern', 'controle_patroon'], ['date', 'controle_datum'],
  ];
  let checksLoading = false;

  /** @param {HTMLFormElement} form
   * @param {string} name */
  function inputOf(form, name) {
    const el = form.elements.namedItem(name);
    return el instanceof HTMLInputElement ? el : null;
  }

  /** A number of days as typed (-3, −3, 0), or null.
   * @param {HTMLInputElement | null} input */
  function days(input) {
    const text = input ? input.value.trim().replace('\u2212', '-') : '';
    return /^[-+]?[0-9]+$/.test(text) ? Number(text) : null;
  }

  /** The checks the form describes now, in the order a save keeps (the step's own first).
   * @param {HTMLFormElement} form
   * @returns {FieldCheck[]} */
  function formChecks(form) {
    /** @type {FieldCheck[]} */
    const checks = [];
    CHECK_INPUTS.forEach(function (row) {
      const kind = /** @type {FieldCheck['kind']} */ (row[0]);
      const input = inputOf(form, row[1]);
      if (!input) return;
      const on = input.type === 'checkbox' ? input.checked : Boolean(input.value.trim());
      if (!on) return;
      const message = inputOf(form, row[1] + '_melding');
      checks.push({
        kind: kind,
        pattern: kind === 'pattern' ? input.value.trim() : null,
        from_days: kind === 'date' ? days(inputOf(form, row[1] + '_van')) : null,
        to_days: kind === 'date' ? days(inputOf(form, row[1] + '_tot')) : null,
        message: (message && message.value.trim()) || null,
      });
    });
    /** @type {string[]} */
    let had = [];
    try {
      const basis = JSON.parse((inputOf(form, 'basis') || { value: '{}' }).value);
      had = (basis.field_checks || []).map(function (/** @type {{ kind: string }} */ c) { return c.kind; });
    } catch { /* no basis: the form's order */ }
    /** @param {FieldCheck} check */
    const place = function (check) {
      const n = had.indexOf(check.kind);
      return n < 0 ? had.length + CHECK_INPUTS.findIndex(function (row) { return row[0] === check.kind; }) : n;
    };
    return checks.sort(function (a, b) { return place(a) - place(b); });
  }

  /** A problem as the desk reads it: the author's own message, or the check's text in the
   * page's language with its parameters filled in.
   * @param {FieldProblem} problem
   * @param {Element} box */
  function problemText(problem, box) {
    if (problem.own) return problem.text;
    /** @type {Record<string, string>} */
    let messages = {};
    try { messages = JSON.parse(box.getAttribute('data-messages') || '{}'); } catch { /* Dutch */ }
    const params = problem.params || {};
    return (messages[problem.text] || problem.text).replace(/\{(\w+)\}/g, function (whole, name) {
      return name in params ? String(params[name]) : whole;
    });
  }

  /** Shows the tip and what the checks say of the value tried, in `form`'s preview.
   * @param {HTMLFormElement} form */
  function updateFieldPreview(form) {
    /** @type {HTMLElement | null} */
    const box = form.querySelector('[data-field-preview]');
    const checks = window.epssFieldChecks;
    if (!box || !checks) return;
    box.hidden = false;
    const tip = inputOf(form, 'veldtip');
    /** @type {HTMLElement | null} */
    const shownTip = box.querySelector('[data-tip-preview]');
    if (shownTip) {
      shownTip.textContent = tip ? tip.value.trim() : '';
      shownTip.hidden = !shownTip.textContent;
    }
    const tried = /** @type {HTMLInputElement | null} */ (box.querySelector('[data-try-checks]'));
    const said = box.querySelector('[data-try-result]');
    if (!tried || !said) return;
    const value = tried.value;
    const all = formChecks(form);
    /** @type {FieldProblem | null} */
    let problem = null;
    for (const check of all) {
      problem = checks.fieldProblem(check, value);
      if (problem) break;
    }
    said.classList.toggle('is-problem', Boolean(problem));
    said.textContent = problem ? problemText(problem, box)
      : value.trim() && all.length ? box.getAttribute('data-text-ok') || '' : '';
  }

  // Every step form with a preview on the page: the checks' script is fetched once, then
  // each preview is shown (they stay hidden without it: a preview that cannot check says
  // nothing).
  function showFieldPreviews() {
    const first = document.querySelector('[data-field-preview]');
    if (!first) return;
    if (window.epssFieldChecks) {
      document.querySelectorAll('form[data-edit-form]').forEach(function (form) {
        updateFieldPreview(/** @type {HTMLFormElement} */ (form));
      });
      return;
    }
    if (checksLoading) return;
    checksLoading = true;
    const script = document.createElement('script');
    script.src = first.getAttribute('data-checks-script') || '';
    script.addEventListener('load', function () { checksLoading = false; showFieldPreviews(); });
    script.addEventListener('error', function () { checksLoading = false; script.remove(); });
    document.head.appendChild(script);
  }

  // ---- nothing typed is lost ------------------------------------------------------------
  // What is typed in a form of the editor is kept in this tab (sessionStorage, per person
  // and task) until it is saved or deliberately dropped. A step form swapped away (a step
  // moved, added or removed) or a page left and opened again gets it back, with the
  // version and base it started from, so that a colleague's change in between is merged,
  // not overwritten. Leaving the page with unsaved text first asks (beforeunload).

  const UNSAVED = 'epss-unsaved:';

  function unsavedPrefix() {
    const editor = document.getElementById('editor');
    if (!editor) return null;
    return UNSAVED + editor.getAttribute('data-me') + ':' + editor.getAttribute('data-slug') + ':';
  }

  function storage() {
    try { return window.sessionStorage; } catch { return null; }
  }

  /** Keeps what is typed in `form` for this tab.
   * @param {HTMLFormElement} form */
  function remember(form) {
    const prefix = unsavedPrefix();
    const store = storage();
    // A merge form is derived from what was typed before the conflict (still kept) and
    // the stored text: it is not kept itself, but leaving it asks first.
    if (!prefix || !store || form.closest('[data-mode="conflict"]')) return;
    /** @type {[string, string][]} */
    const fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== 'csrftoken' && typeof value === 'string') fields.push([name, value]);
    });
    try {
      store.setItem(prefix + form.getAttribute('data-edit-form'), JSON.stringify({ fields: fields }));
    } catch { /* storage full or refused: beforeunload still asks */ }
  }

  /** @param {string | null} name the form's data-edit-form */
  function forget(name) {
    const prefix = unsavedPrefix();
    const store = storage();
    if (prefix && store && name) store.removeItem(prefix + name);
  }

  /** What is kept for this person and task: each form's name and fields.
   * @returns {{ name: string, fields: [string, string][] }[]} */
  function kept() {
    const prefix = unsavedPrefix();
    const store = storage();
    /** @type {{ name: string, fields: [string, string][] }[]} */
    const found = [];
    if (!prefix || !store) return found;
    for (let n = 0; n < store.length; n += 1) {
      const key = store.key(n);
      if (!key || key.indexOf(prefix) !== 0) continue;
      try {
        found.push({ name: key.slice(prefix.length), fields: JSON.parse(/** @type {string} */ (store.getItem(key))).fields });
      } catch { store.removeItem(key); }
    }
    return found;
  }

  /** Puts kept fields back into `form`.
   * @param {HTMLFormElement} form
   * @param {[string, string][]} fields */
  function fill(form, fields) {
    /** @type {Record<string, string[]>} */
    const values = {};
    fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    /** @type {Record<string, number>} */
    const used = {};
    const controls = /** @type {(HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement)[]} */ (
      Array.from(form.elements)); // and buttons and fieldsets, left alone below
    controls.forEach(function (el) {
      if (!el.name || el.name === 'csrftoken' || el.type === 'submit' || el.type === 'button') return;
      const mine = values[el.name];
      if (el.type === 'checkbox' || el.type === 'radio') {
        /** @type {HTMLInputElement} */ (el).checked = Boolean(mine) && mine.indexOf(el.value) >= 0;
        return;
      }
      if (!mine) return;
      const n = used[el.name] || 0;
      used[el.name] = n + 1;
      if (n < mine.length) el.value = mine[n];
    });
    form.setAttribute('data-dirty', '1');
    const details = form.querySelector('details');
    if (details && (values.tak_naar || []).some(Boolean)) details.open = true;
    const fold = form.closest('details');
    if (fold) fold.open = true;
    /** @type {NodeListOf<HTMLTextAreaElement>} */
    const previewed = form.querySelectorAll('textarea[data-preview]');
    previewed.forEach(preview);
    updateFieldPreview(form);
    const steps = document.getElementById('stappen');
    const text = steps && steps.getAttribute('data-text-restored');
    if (text && !form.querySelector('.restored-notice')) {
      const box = document.createElement('p');
      box.className = 'message message-info restored-notice';
      box.setAttribute('role', 'status');
      box.textContent = text;
      form.insertBefore(box, form.firstElementChild && form.firstElementChild.nextSibling);
    }
  }

  let restoring = false;

  // Put back what is kept and not on the page: into its form when that is there and
  // untouched, else (a step shown, not being edited) into the step's form, opened again.
  function restoreUnsaved() {
    if (restoring) return;
    const editor = document.getElementById('editor');
    if (!editor) return;
    const base = '/redactie/taken/' + encodeURIComponent(/** @type {string} */ (editor.getAttribute('data-slug')));
    kept().forEach(function (entry) {
      /** @type {HTMLFormElement | null} */
      const form = document.querySelector('form[data-edit-form="' + CSS.escape(entry.name) + '"]');
      if (form) {
        if (!form.hasAttribute('data-dirty') && !form.closest('[data-mode="conflict"]')) {
          fill(form, entry.fields);
        }
        return;
      }
      const li = document.getElementById('stap-' + entry.name);
      if (!li || li.getAttribute('data-mode') !== 'view') return;
      restoring = true;
      htmx.ajax('GET', quietly(base + '/stappen/' + encodeURIComponent(entry.name) + '/bewerken'),
        { target: li, swap: 'outerHTML' }).then(function () {
        restoring = false;
        /** @type {HTMLFormElement | null} */
        const again = document.querySelector('form[data-edit-form="' + CSS.escape(entry.name) + '"]');
        if (again) fill(again, entry.fields);
        restoreUnsaved(); // the next one, if any
      }, function () { restoring = false; });
    });
  }

  function hasUnsaved() {
    return Boolean(document.querySelector('form[data-dirty], [data-mode="conflict"]'));
  }

  window.addEventListener('beforeunload', function (event) {
    if (!hasUnsaved()) return;
    event.preventDefault();
    event.returnValue = '';
  });

  // A form sent the ordinary way (not through htmx) is on its way: nothing to ask.
  document.addEventListener('submit', function (event) {
    const form = /** @type {Element} */ (event.target);
    if (!form.matches || form.hasAttribute('hx-post') || event.defaultPrevented) return;
    if (form.matches('form[data-edit-form]')) {
      form.removeAttribute('data-dirty');
      forget(form.getAttribute('data-edit-form'));
    }
  });

  // Saved: what was kept for that form (or that step) is no longer needed.
  document.addEventListener('htmx:beforeSwap', function (event) {
    const xhr = event.detail.xhr;
    /** @type {Partial<HtmxRequestConfig>} */
    const config = event.detail.requestConfig || {};
    if (config.verb !== 'post' || xhr.status < 200 || xhr.status >= 300) return;
    const elt = config.elt; // the element that sent the request (detail.elt: the target)
    if (!elt || !elt.closest) return;
    const form = elt.closest('form[data-edit-form]');
    if (form) forget(form.getAttribute('data-edit-form'));
    const step = elt.closest('.step-item');
    if (step && elt.closest('form')) forget(step.getAttribute('data-step'));
  });

  // "Annuleren" on a form with unsaved text asks first; "Hun versie nemen" (data-forget)
  // is a choice already made: what was kept for that step goes.
  document.addEventListener('htmx:confirm', function (event) {
    const elt = event.detail.elt;
    if (!elt || !elt.hasAttribute) return;
    if (elt.hasAttribute('data-forget')) {
      forget(elt.getAttribute('data-forget'));
      return;
    }
    if (!elt.hasAttribute('data-discard')) return;
    const form = elt.closest('form[data-edit-form]');
    if (!form) return;
    const name = form.getAttribute('data-edit-form');
    if (form.hasAttribute('data-dirty')) {
      event.preventDefault();
      const steps = document.getElementById('stappen');
      const question = (steps && steps.getAttribute('data-text-discard')) || '';
      if (!window.confirm(question)) return;
      form.removeAttribute('data-dirty');
      forget(name);
      event.detail.issueRequest(true);
      return;
    }
    forget(name);
  });

  document.addEventListener('change', function (event) {
    const target = /** @type {Element} */ (event.target);
    /** @type {HTMLFormElement | null} */
    const form = target.closest && target.closest('form[data-edit-form]');
    if (!form) return;
    updateFieldPreview(form);
    if (target.hasAttribute('data-try-checks')) return;
    form.setAttribute('data-dirty', '1');
    remember(form);
  });

  // ---- who is editing now, and steps saved by someone else --------------------------------

  /** Lists the colleagues editing this task now (not me), or says there are none.
   * @param {HTMLElement} list
   * @param {string[]} names
   * @param {string | null} me */
  function showEditors(list, names, me) {
    list.textContent = '';
    const others = names.filter(function (n) { return n !== me; });
    if (!others.length) {
      const li = document.createElement('li');
      li.textContent = list.getAttribute('data-empty');
      list.appendChild(li);
      return;
    }
    others.forEach(function (name) {
      const li = document.createElement('li');
      li.textContent = name;
      li.setAttribute('data-editor', name);
      list.appendChild(li);
    });
  }

  const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]';

  /** @param {Element | null} el */
  function isBeingEdited(el) {
    if (!el) return false;
    if (el.getAttribute('data-mode') && el.getAttribute('data-mode') !== 'view') return true;
    return Boolean(el.querySelector('form[data-dirty]'));
  }

  /** A notice at the top of `container` (or of its step body), replacing an earlier one.
   * @param {Element | null} container
   * @param {string} text */
  function notice(container, text) {
    if (!container) return;
    let box = container.querySelector('.live-notice');
    if (!box) {
      box = document.createElement('p');
      box.className = 'message message-warning live-notice';
      box.setAttribute('role', 'status');
      const body = container.querySelector('.step-body') || container;
      body.insertBefore(box, body.firstChild);
    }
    box.textContent = text;
  }

  // Replace `target` with a fresh copy from the server without moving the focus: when the
  // focus was inside it, the same control of the new copy gets it back.
  /** @param {string} url
   * @param {Element} target
   * @returns {Promise<HTMLElement | null>} */
  function refresh(url, target) {
    const id = target.id;
    const controls = Array.from(target.querySelectorAll(FOCUSABLE));
    const had = controls.indexOf(/** @type {Element} */ (document.activeElement));
    return htmx.ajax('GET', quietly(url), { target: target, swap: 'outerHTML' }).then(function () {
      const fresh = document.getElementById(id);
      if (had >= 0 && fresh) {
        const again = /** @type {HTMLElement | undefined} */ (fresh.querySelectorAll(FOCUSABLE)[had]);
        if (again) again.focus();
      }
      return fresh;
    });
  }

  /** @param {string} base the task's address in the editor
   * @param {string} note */
  function refreshTask(base, note) {
    [['taakvelden', '/velden'], ['regels', '/regels']].forEach(function (part) {
      const el = document.getElementById(part[0]);
      if (el && !isBeingEdited(el)) refresh(base + part[1], el);
      else notice(el, note);
    });
  }

  /** @param {string} base
   * @param {string} note */
  function refreshSteps(base, note) {
    const steps = document.getElementById('stappen');
    const open = steps && Array.from(steps.querySelectorAll('.step-item')).some(isBeingEdited);
    if (steps && !open && !steps.querySelector('form[data-dirty]')) {
      refresh(base + '/stappen?stil=1', steps);
    } else {
      notice(steps, note);
    }
  }

  // The status in the heading and the workflow box. While a comment for sending back is
  // being written in the box, only the status (swapped out of band) and a note, when given.
  /** @param {string} base
   * @param {string | null} note */
  function refreshWorkflow(base, note) {
    const box = document.getElementById('werkstroom');
    if (!box) return;
    if (!isBeingEdited(box)) { refresh(base + '/werkstroom', box); return; }
    htmx.ajax('GET', base + '/werkstroom', { target: box, swap: 'none' });
    if (note) notice(box, note);
  }

  /** A colleague saved the task's fields, a step, or the steps (a move, an addition...).
   * @param {HTMLElement} editor
   * @param {{ by: string, kind: string, step_id?: string }} data */
  function onSaved(editor, data) {
    const base = '/redactie/taken/' + encodeURIComponent(/** @type {string} */ (editor.getAttribute('data-slug')));
    const texts = editor.dataset;
    if (data.kind === 'step' && data.step_id) {
      const li = document.getElementById('stap-' + data.step_id);
      if (!li) return;
      if (isBeingEdited(li)) {
        notice(li, data.by + ' ' + texts.textStepChanged);
      } else {
        refresh(base + '/stappen/' + encodeURIComponent(data.step_id) + '?stil=1', li)
          .then(function (fresh) { if (fresh) fresh.setAttribute('data-refreshed', data.by); });
        announce(data.by + ' ' + texts.textStepSaved);
      }
    } else if (data.kind === 'task') {
      refreshTask(base, data.by + ' ' + texts.textTaskChanged);
    } else {
      refreshSteps(base, data.by + ' ' + texts.textStepsChanged);
      announce(data.by + ' ' + texts.textStepsChanged);
    }
    refreshWorkflow(base, null); // a published task is a draft again, with another editor
    htmx.trigger(document.body, 'epss-draft-changed');
  }

  // A colleague submitted, sent back, published, confirmed or restored the task. A restore
  // (and a confirmation, which moves the review date) changed the content as well.
  /** @param {HTMLElement} editor
   * @param {{ by: string, action?: string }} data */
  function onWorkflow(editor, data) {
    const base = '/redactie/taken/' + encodeURIComponent(/** @type {string} */ (editor.getAttribute('data-slug')));
    const texts = editor.dataset;
    const action = String(data.action || '');
    const said = texts['text' + action.charAt(0).toUpperCase() + action.slice(1)];
    refreshWorkflow(base, data.by + ' ' + texts.textWorkflowChanged);
    if (action === 'restored' || action === 'confirmed') {
      refreshTask(base, data.by + ' ' + texts.textTaskChanged);
    }
    if (action === 'restored') {
      refreshSteps(base, data.by + ' ' + texts.textStepsChanged);
      htmx.trigger(document.body, 'epss-draft-changed');
    }
    if (said) announce(data.by + ' ' + said);
  }

  /** @param {HTMLElement} editor */
  function listen(editor) {
    const url = editor.getAttribute('data-live');
    const me = editor.getAttribute('data-me');
    const list = document.getElementById('aanwezig');
    if (!url || !window.EventSource) return;
    const source = new EventSource(url);
    source.addEventListener('presence', function (event) {
      const data = JSON.parse(event.data);
      if (list) showEditors(list, data.editors || [], me);
    });
    source.addEventListener('saved', function (event) {
      const data = JSON.parse(event.data);
      if (data.by && data.by !== me) onSaved(editor, data);
    });
    source.addEventListener('workflow', function (event) {
      const data = JSON.parse(event.data);
      if (data.by && data.by !== me) onWorkflow(editor, data);
    });
    // The stream is refused for good when the login ended (logged out elsewhere, or the
    // account was disabled): then the person goes to the login page, as any other request
    // of theirs would take them; otherwise the browser keeps reconnecting by itself.
    source.addEventListener('error', function () {
      if (source.readyState !== EventSource.CLOSED) return;
      fetch('/api/v1/me', { credentials: 'same-origin' }).then(function (answer) {
        if (answer.status === 401) {
          window.location.assign('/inloggen?volgende=' +
            encodeURIComponent(window.location.pathname));
        }
      });
    });
    window.addEventListener('pagehide', function () { source.close(); });
  }

  // Logging out forgets what was kept (desk computers are shared) and asks for nothing more.
  function onLogout() {
    document.querySelectorAll('form.logout').forEach(function (form) {
      form.addEventListener('submit', function () {
        stopPreviews();
        const store = storage();
        if (!store) return;
        for (let i = store.length - 1; i >= 0; i--) {
          const key = store.key(i);
          if (key && key.indexOf(UNSAVED) === 0) store.removeItem(key);
        }
      });
    });
  }

  function start() {
    onLogout();
    focusMarked(document, true);
    /** @type {HTMLElement | null} */
    const onLoad = document.querySelector('[data-focus-on-load]');
    if (onLoad) onLoad.focus();
    const editor = document.getElementById('editor');
    if (editor) {
      listen(editor);
      restoreUnsaved();
    }
    showFieldPreviews();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
