// The editor pages (/redactie): focus and announcements after htmx swaps, the live Markdown
// preview, and "who is editing now" with what colleagues save, submit, publish or restore
// shown as it happens (server-sent events).
// No inline scripts anywhere (strict Content-Security-Policy): everything is wired here.
(function () {
  'use strict';

  const FOCUS = 'data-focus-after-swap';
  const SHOWN_STATUSES = [403, 409, 412, 422];

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute('hx-headers') || '{}')['x-csrftoken'] || '';
    } catch (e) {
      return '';
    }
  }

  // ---- announcements and focus ----------------------------------------------------------

  function announce(text) {
    const live = document.getElementById('editor-status');
    if (!live || !text) return;
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function focusMarked(root, quiet) {
    const marked = Array.from((root || document).querySelectorAll('[' + FOCUS + ']'));
    if (root && root.hasAttribute && root.hasAttribute(FOCUS)) marked.unshift(root);
    marked.forEach(function (el) { el.removeAttribute(FOCUS); });
    if (quiet || !marked.length) return;
    const target = marked[0];
    if (!target.hasAttribute('tabindex') && !target.matches('a, button, input, select, textarea')) {
      target.setAttribute('tabindex', '-1');
    }
    target.focus();
  }

  let quietSwaps = 0; // swaps caused by someone else's save must not move the focus

  document.addEventListener('htmx:beforeSwap', function (event) {
    const xhr = event.detail.xhr;
    if (SHOWN_STATUSES.indexOf(xhr.status) >= 0 && xhr.getResponseHeader('X-Editor-Fragment')) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener('htmx:afterSettle', function (event) {
    const quiet = quietSwaps > 0;
    if (quiet) quietSwaps -= 1;
    const target = event.detail.target;
    focusMarked(target && target.isConnected ? target : document, quiet);
    focusMarked(document, true); // out-of-band parts never take the focus
  });

  document.addEventListener('epss-announce', function (event) {
    announce(event.detail && event.detail.value);
  });

  // ---- live Markdown preview ------------------------------------------------------------

  const timers = new WeakMap();

  function preview(textarea) {
    const box = document.getElementById(textarea.getAttribute('data-preview'));
    if (!box) return;
    const body = new URLSearchParams({ tekst: textarea.value });
    fetch('/redactie/voorbeeld', {
      method: 'POST', body: body, credentials: 'same-origin',
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
    const el = event.target;
    const form = el.closest && el.closest('form[data-edit-form]');
    if (form) form.setAttribute('data-dirty', '1');
    if (!el.matches || !el.matches('textarea[data-preview]')) return;
    window.clearTimeout(timers.get(el));
    timers.set(el, window.setTimeout(function () { preview(el); }, 250));
  });

  // ---- who is editing now, and steps saved by someone else --------------------------------

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

  function isBeingEdited(el) {
    if (!el) return false;
    if (el.getAttribute('data-mode') && el.getAttribute('data-mode') !== 'view') return true;
    return Boolean(el.querySelector('form[data-dirty]'));
  }

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
  function refresh(url, target) {
    const id = target.id;
    const controls = Array.from(target.querySelectorAll(FOCUSABLE));
    const had = controls.indexOf(document.activeElement);
    quietSwaps += 1;
    return htmx.ajax('GET', url, { target: target, swap: 'outerHTML' }).then(function () {
      const fresh = document.getElementById(id);
      if (had >= 0 && fresh) {
        const again = fresh.querySelectorAll(FOCUSABLE)[had];
        if (again) again.focus();
      }
      return fresh;
    });
  }

  function refreshTask(base, note) {
    [['taakvelden', '/velden'], ['regels', '/regels']].forEach(function (part) {
      const el = document.getElementById(part[0]);
      if (el && !isBeingEdited(el)) refresh(base + part[1], el);
      else notice(el, note);
    });
  }

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
  function refreshWorkflow(base, note) {
    const box = document.getElementById('werkstroom');
    if (!box) return;
    if (!isBeingEdited(box)) { refresh(base + '/werkstroom', box); return; }
    htmx.ajax('GET', base + '/werkstroom', { target: box, swap: 'none' });
    if (note) notice(box, note);
  }

  function onSaved(editor, data) {
    const base = '/redactie/taken/' + encodeURIComponent(editor.getAttribute('data-slug'));
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
  function onWorkflow(editor, data) {
    const base = '/redactie/taken/' + encodeURIComponent(editor.getAttribute('data-slug'));
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
    window.addEventListener('pagehide', function () { source.close(); });
  }

  function start() {
    focusMarked(document, true);
    const onLoad = document.querySelector('[data-focus-on-load]');
    if (onLoad) onLoad.focus();
    const editor = document.getElementById('editor');
    if (editor) listen(editor);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
