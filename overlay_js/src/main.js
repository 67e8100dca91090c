// @ts-check
/* global STYLES, CORE, h, uuid, stored, store, setLanguage, t, configFromScript,
   withDefaults, matchTasks, readPage, pageKey, watchPage, createApi, QUEUE_KEY, createQueue,
   createProgress, watchFinishButtons */
// The controller: reads the page, matches it against the host app's manifest, keeps the
// launcher and the panel up to date, and records what the person does. One global: EPSS.

/** @param {OverlaySettings} config */
function createOverlay(config) {
  setLanguage(config.lang);
  const api = createApi(config.service);
  const queue = createQueue(QUEUE_KEY, api.send, api.beacon, config, () => {});
  // Feedback waits in an outbox of its own (sent at once with keepalive, so no beacon); the
  // ids sent are kept per app and user, so the panel can show what became of them.
  const mineKey = `epss:feedback:${config.app}:${config.user || ''}`;
  const outbox = createQueue('epss:feedback-out', api.feedback, null,
    { ...config, batchSize: 1 }, (items, status) => {
      const mine = loadMine();
      items.forEach((f) => {
        /** @type {Partial<SentFeedback>} */ (byId(mine, f.id) || {}).status = status < 300 ? 'new' : 'refused';
      });
      saveMine(mine);
      if (status > 299) tell(t('Uw melding is geweigerd.'));
    });
  const host = document.createElement('epss-overlay');
  const root = host.attachShadow({ mode: 'open' });
  /** @param {string} css */
  const adopt = (css) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  };
  adopt(STYLES.launcher);
  const layer = h('div', { class: 'epss-layer' });
  const label = h('span', { text: t('Hulp') });
  const launcher = h('button', {
    class: 'epss-launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'epss-panel',
    'aria-keyshortcuts': `Alt+Shift+${config.shortcut}`, onclick: () => (isOpen() ? close() : open()),
    // mouseenter, not pointerenter: a page's first pointer-event listener costs ~0.2 ms to add.
    onmouseenter: warm, onfocus: warm,
  }, h('span', { class: 'epss-launcher-icon', 'aria-hidden': 'true', text: '?' }), label);
  const notice = h('div', { class: 'epss-notice', role: 'alert', hidden: true });
  root.append(layer, launcher, notice);

  /** @type {Manifest | null} */
  let manifest = null;
  let manifestAt = 0;
  let unavailable = false;
  /** @type {PageFacts | null} */
  let page = null;
  let key = '';
  /** @type {TaskMatch[]} */
  let matches = [];
  /** @type {Shown} */
  let shown = null; // {slug, version} in the panel, or 'none'
  let loading = 0;
  /** @type {HTMLElement | null} */
  let returnFocus = null;

  const here = () => location.origin + location.pathname;
  /** @template {{ id: string }} T
   * @param {T[]} list
   * @param {string} id */
  const byId = (list, id) => list.find((x) => x.id === id);

  /** Records an event (queue.js sends it).
   * @param {string} type
   * @param {Record<string, unknown>} [fields] */
  function emit(type, fields) {
    const event = { id: uuid(), type, occurred_at: new Date().toISOString(), app: config.app,
      url: here(), user: config.user, team: config.team, case_ref: page && page.caseRef,
      task_slug: shown && shown.slug, task_version: shown && shown.version, ...fields };
    queue.add(/** @type {Outgoing} */ (Object.fromEntries(Object.entries(event).filter(([, v]) => v != null))));
  }

  /** A message under the buttons of `step`, or of the open step.
   * @param {string} text
   * @param {PanelStep | null} [step] */
  function tell(text, step) {
    const body = step ? `[data-step="${CSS.escape(step.id)}"] .epss-step-body` : '.epss-step-body:not([hidden])';
    const said = root.querySelector(`${body} .epss-said`);
    if (said) said.textContent = text;
  }

  /** What this person sent, newest first (SentFeedback in overlay.d.ts). Earlier versions
   * kept it with one-letter keys: those are spelled out, and stored so, when read.
   * @returns {SentFeedback[]} */
  function loadMine() {
    /** @type {any[]} */
    let mine = stored('localStorage', mineKey, []);
    if (mine.some((m) => m.k)) {
      mine = mine.map((m) => (m.k ? { id: m.id, kind: m.k, task_title: m.t, step_number: m.n,
        status: m.s === 'x' ? 'refused' : m.s, changed_in_version: m.v, answer: m.a } : m));
      store('localStorage', mineKey, mine);
    }
    return mine;
  }

  // Signed in there, the person sees all they sent from any workstation, with the answers.
  const everywhere = config.user ? new URL('mijn-gegevens#meldingen', config.service).href : null;

  /** @param {SentFeedback[]} mine */
  function saveMine(mine) {
    store('localStorage', mineKey, mine);
    if (panel) panel.mine(mine, everywhere);
  }

  // "Klopt niet", "Onduidelijk" or a suggestion on a step of the task shown. No event: the
  // feedback itself is the record (the service still takes `feedback` events of old clients).
  /** @type {PanelController['feedback']} */
  function feedback(step, kind, comment, title, n) {
    const id = uuid();
    outbox.add({ id, app: config.app, task_slug: shown.slug, task_version: shown.version,
      step_id: step, kind, comment, user: config.user, team: config.team, url: here() });
    saveMine([{ id, kind, task_title: title, step_number: n }, ...loadMine()].slice(0, 10));
  }

  // On opening the panel: the sender's feedback (at most 10), and what became of it.
  function showMine() {
    const mine = loadMine();
    panel.mine(mine, everywhere);
    if (mine.length) {
      api.statuses(mine.map((m) => m.id)).then((r) => {
        const now = loadMine();
        r.feedback.forEach(({ id, status, changed_in_version, answer }) => Object.assign(byId(now, id) || {},
          { status, changed_in_version, answer }));
        saveMine(now);
      }, () => {});
    }
  }

  const progress = createProgress(config.app, config.user, () => (manifest && manifest.progress_keep_hours) || 12);
  // The host's hint first (data-epss-case), else the `:zaak` of the screen's rule.
  const caseOnScreen = () => (page && page.caseRef) || (matches[0] && matches[0].caseRef) || null;
  /** @type {ReturnType<typeof createHighlighter> | null} */
  let highlighter = null;
  /** @type {ReturnType<typeof createFieldHelp> | null} */
  let fieldHelp = null;
  /** @type {ReturnType<typeof createPanel> | null} */
  let panel = null; // built on the first open: a page that never asks for help pays nothing
  const isOpen = () => !!panel && panel.open;

  /** @param {PanelCode} code */
  function build(code) {
    adopt(code.STYLES.panel + code.STYLES.highlight);
    highlighter = code.createHighlighter(layer, {
      onMissing: (selectors) => {
        emit('highlight_missing', { step_id: pointedAt && pointedAt.id, details: { selector: selectors.join(', ').slice(0, 300) } });
        tell(t('Het veld voor deze stap staat niet op dit scherm.'), pointedAt);
      },
      // Found only by what it looked like: the experts see it on their list of fields.
      onFound: ({moved, weak}) => (moved || weak) && emit('highlight_moved', {
        step_id: pointedAt && pointedAt.id,
        details: { selector: pointedAt.target.join(', ').slice(0, 300), match: moved ? 'moved' : 'weak' },
      }),
    });
    fieldHelp = code.createFieldHelp(highlighter.note, (step, problem, typed) => panel.atField(step, problem, typed));
    let pending = 0;
    /** @type {PanelStep | null} */
    let pointedAt = null; // the step whose field is looked for
    panel = code.createPanel(root, {
      close, emit, openTask, feedback,
      search: (q) => api.search(q),
      // After the panel has painted: finding the field may force the host page's layout.
      highlight(step) {
        cancelAnimationFrame(pending);
        fieldHelp.detach();
        pointedAt = step;
        if (!step || !step.target.length || !panel.open) { highlighter.hide(); return; }
        pending = requestAnimationFrame(() => setTimeout(() => panel.open && highlighter.show(step.target, step.target_fingerprint)
          .then((found) => found && fieldHelp.attach(found, step))));
      },
      saveTicks: (task, ticks) => progress.save(caseOnScreen(), task, ticks),
      keepsReasons: () => !!(manifest && manifest.stores_free_text),
      fullText: (task) => new URL(`taken/${encodeURIComponent(task.slug)}?versie=${task.version}`, config.service).href,
    });
  }

  // The task on screen and its mandatory steps left unticked, when a finish button is
  // pressed (finish.js). A visit (no case hint) whose every step was done ends with it.
  function unticked() {
    const best = shown && shown !== 'none' ? shown : matches[0] && { slug: matches[0].task, version: matches[0].version };
    if (!best) return Promise.resolve(null);
    const caseRef = caseOnScreen();
    return api.task(best.slug, best.version).then((task) => {
      const { done, finished } = progress.read(caseRef, task);
      if (finished) progress.save(caseRef, task, new Set());
      const left = finished ? [] : task.steps.flatMap((s, i) => (s.mandatory && !done.has(s.id) ? [{ n: i + 1, title: s.title }] : []));
      return left.length ? { title: task.title, left } : null;
    });
  }

  function updateLauncher() {
    const best = matches[0];
    label.textContent = unavailable ? t('Hulp niet beschikbaar') : t('Hulp');
    launcher.classList.toggle('epss-ready', !!best && !unavailable);
    launcher.classList.toggle('epss-unavailable', unavailable);
    launcher.title = best && best.title ? t('Hulp bij: {t}', { t: best.title }) : label.textContent;
  }

  async function loadManifest() {
    try {
      manifest = await api.manifest(config.app);
      manifestAt = Date.now();
      unavailable = false;
      key = '';
    } catch {
      unavailable = !manifest;
    }
    refresh();
  }

  function refresh() {
    if (!manifest) { updateLauncher(); if (isOpen()) panel.unavailable(loadManifest); return; }
    const next = readPage(manifest.markers);
    const nextKey = pageKey(next);
    if (nextKey === key) return;
    key = nextKey;
    page = next;
    matches = matchTasks(manifest, page);
    const titles = new Map(manifest.rules.map((r) => [r.task, r.task_title]));
    matches.forEach((m) => { m.title = titles.get(m.task); });
    if (page.task) matches = [{ task: page.task, title: titles.get(page.task) }, ...matches.filter((m) => m.task !== page.task)];
    updateLauncher();
    if (isOpen()) showBest();
  }

  // The guidance of this screen, fetched when the pointer or the focus reaches the launcher
  // (a click follows), not on every page load: most pages never ask for help.
  function warm() {
    const best = matches[0];
    if (best && best.version) api.task(best.task, best.version).catch(() => {});
    loadPanel(config.service).catch(() => {});
  }

  function showBest() {
    const best = matches[0];
    if (!best) {
      if (shown === 'none') return;
      shown = 'none';
      panel.noMatch([]);
      const context = { app: config.app, url: here(), title: page.title.slice(0, 500), markers: [...page.markers] };
      api.resolve(context).then((r) => shown === 'none' && panel.noMatch(r.matches)).catch(() => {});
      return;
    }
    if (shown && shown.slug === best.task && (!best.version || shown.version === best.version)
      && shown.caseRef === caseOnScreen()) return; // another case: its own ticks
    openTask(best.task, best.version, best.start_step, 'rule');
  }

  /** @type {PanelController['openTask']} */
  async function openTask(slug, version, start, source) {
    const token = ++loading;
    panel.loading();
    try {
      const task = await api.task(slug, version);
      if (token !== loading) return;
      shown = { slug, version: task.version, caseRef: caseOnScreen() };
      const { done, changed } = progress.read(shown.caseRef, task);
      panel.showTask(task, { start, done, changed, ...progress.seen(task), others: matches.filter((m) => m.task !== slug) });
      emit('task_viewed', { details: { source } });
    } catch {
      if (token === loading) { shown = null; panel.unavailable(() => openTask(slug, version, start, source)); }
    }
  }

  function open() {
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    returnFocus = active === host ? launcher : active;
    loadPanel(config.service).then(show, () => {
      unavailable = true;
      updateLauncher();
    });
  }

  /** @param {PanelCode} code */
  function show(code) {
    if (!panel) build(code);
    launcher.setAttribute('aria-expanded', 'true');
    panel.show();
    panel.focus();
    showMine();
    /** @type {Partial<TaskMatch>} */
    const best = matches[0] || {};
    emit('panel_opened', { task_slug: best.task, task_version: best.version });
    if (!manifest || Date.now() - manifestAt > config.manifestMaxAge) loadManifest();
    if (manifest) showBest(); else panel.loading();
  }

  function close() {
    if (!panel) return;
    panel.hide();
    launcher.setAttribute('aria-expanded', 'false');
    const target = returnFocus && returnFocus.isConnected && returnFocus !== document.body ? returnFocus : launcher;
    target.focus();
  }

  /** @param {KeyboardEvent} e */
  function shortcut(e) {
    if (!e.altKey || !e.shiftKey || e.code !== `Key${config.shortcut}`) return;
    e.preventDefault();
    if (!isOpen()) open();
    else if (panel.contains(root.activeElement)) close();
    else panel.focus();
  }

  // An expert in the editor points at a step's field or the task's screen, or records steps:
  // the editor's window opened this screen and asks, from the service's origin, and gets only
  // what the elements are.
  const serviceOrigin = new URL(config.service).origin;
  /** @type {ReturnType<PanelCode['createPicker']> | null} */
  let picker = null;
  let picking = '';
  /** @param {MessageEvent} e */
  function pickRequest(e) {
    const ask = e.data;
    if (e.origin !== serviceOrigin || !e.source || !ask || ask.type !== 'epss-pick' || typeof ask.request !== 'string') return;
    const editor = /** @type {Window} */ (e.source);
    /** @param {Record<string, unknown>} answer */
    const reply = (answer) => editor.postMessage({ ...answer, request: ask.request }, serviceOrigin);
    reply({ type: 'epss-pick-ready' });
    if (picking === ask.request) return; // asked again until it heard back
    picking = ask.request;
    const stopped = () => reply({ type: 'epss-pick-stopped' });
    loadPanel(config.service).then((code) => {
      if (!panel) build(code);
      picker = picker || code.createPicker(layer);
      if (ask.what === 'scherm') {
        picker.chooseScreen(() => {
          const facts = readPage([]);
          reply({ type: 'epss-picked-screen', app: config.app, url: code.patternOf(facts.path, facts.caseRef),
            title: code.screenTitleOf(facts.title, facts.caseRef), marker: code.markerOf(document),
            zaaktype: facts.zaaktype });
        }, stopped);
      } else if (ask.what === 'opnemen') {
        picker.record(String(ask.step || '').slice(0, 200), (done) => reply({ type: 'epss-recorded', ...done }), stopped);
      } else {
        picker.start(String(ask.step || '').slice(0, 200), (found) => reply({ type: 'epss-picked', ...found }), stopped);
      }
    }, stopped);
  }

  document.documentElement.append(host);
  addEventListener('keydown', shortcut, true);
  addEventListener('message', pickRequest);
  const unwatch = watchPage(refresh, config.watchEvery);
  const unwatchFinish = watchFinishButtons(notice, {
    buttons: () => (manifest && manifest.finish_buttons) || [], unticked, open, back: launcher });
  const firstManifest = loadManifest();

  /** What became of the case on screen, for the task in the panel (or the screen's); its
   * case reference only as the service hashes it. True once the service has it; asked
   * while the page loads, it waits until the screen's task is known.
   * @param {string} kind  afgerond, teruggestuurd, afgewezen or fraude
   * @param {{ task?: string, case?: string }} [about]  when the screen does not say */
  async function outcome(kind, about = {}) {
    const occurred = new Date().toISOString();
    await firstManifest;
    const task = about.task || (shown && shown !== 'none' ? shown.slug : matches[0] && matches[0].task);
    const caseRef = about.case || caseOnScreen();
    if (!task || !caseRef) return false;
    return api.outcome({ id: uuid(), app: config.app, task_slug: task, case_ref: caseRef, kind,
      occurred_at: occurred }).then((answer) => answer.ok, () => false);
  }

  return {
    open, close, outcome,
    stop() {
      unwatch();
      queue.stop();
      outbox.stop();
      if (highlighter) highlighter.destroy();
      removeEventListener('keydown', shortcut, true);
      removeEventListener('message', pickRequest);
      if (picker) picker.cancel();
      unwatchFinish();
      host.remove();
    },
  };
}

// The panel's code, from /overlay-panel.js (fetched once, on first need) through
// EPSS.definePanel; the browser extension carries it in this script, so it is here at once.
/** @type {Promise<PanelCode> | null} */
let panelCode = null;
/** @type {((code: PanelCode) => void) | null} */
let receivePanel = null;
const ownScript = /** @type {HTMLScriptElement | null} */ (document.currentScript);

/** @param {string} service
 * @returns {Promise<PanelCode>} */
function loadPanel(service) {
  panelCode = panelCode || new Promise((resolve, reject) => {
    receivePanel = resolve;
    const script = document.createElement('script');
    const url = new URL(`overlay-panel.js?v=${window.EPSS.version}`, service).href;
    script.src = /** @type {string} */ (scriptPolicy() ? scriptPolicy().createScriptURL(url) : url);
    if (ownScript && ownScript.nonce) script.nonce = ownScript.nonce;
    const failed = () => { panelCode = null; receivePanel = null; reject(new Error('overlay-panel.js')); };
    // Loaded, it has handed its code over (definePanel); if not, it was not our script.
    script.onload = () => { script.remove(); if (receivePanel === resolve) failed(); };
    script.onerror = () => { script.remove(); failed(); };
    document.documentElement.append(script);
  });
  return panelCode;
}

/** @type {ReturnType<NonNullable<Window['trustedTypes']>['createPolicy']> | null | undefined} */
let policy;
// A host page that enforces Trusted Types lets a script URL through a named policy; one,
// made on first need (a second policy of the same name would be refused).
function scriptPolicy() {
  if (policy === undefined) {
    try { policy = window.trustedTypes ? window.trustedTypes.createPolicy('epss-overlay', { createScriptURL: (u) => u }) : null; } catch { policy = null; }
  }
  return policy;
}

if (!window.EPSS) {
  /** @type {ReturnType<typeof createOverlay> | null} */
  let overlay = null;
  /** @type {OverlayConfig | null} */
  let waiting = null; // the script tag's settings, until the host page has settled
  window.EPSS = Object.freeze({
    version: '__EPSS_VERSION__',
    start(config) { waiting = null; if (!overlay) overlay = createOverlay(withDefaults(config)); },
    stop() { waiting = null; if (overlay) overlay.stop(); overlay = null; },
    open() { if (overlay) overlay.open(); },
    close() { if (overlay) overlay.close(); },
    /** @param {string} kind
     * @param {{ task?: string, case?: string }} [about] */
    outcome(kind, about) { return overlay ? overlay.outcome(kind, about) : Promise.resolve(false); },
    /** @param {(core: typeof CORE) => PanelCode} factory */
    definePanel(factory) {
      if (receivePanel) receivePanel(factory(CORE));
      else if (!panelCode) panelCode = Promise.resolve(factory(CORE));
      receivePanel = null;
    },
  });
  const script = ownScript;
  if (script && script.dataset.epssApp) {
    // Started once the host page has loaded and gone idle: never in the way of its own start.
    // A page whose loading never ends (a stalled image, a long poll) gets it after 3 s.
    waiting = configFromScript(script);
    let begun = false;
    const begin = () => {
      if (begun) return;
      begun = true;
      // Without requestIdleCallback: setTimeout, whose delay (an object, so 0) is ignored.
      /** @type {(run: () => void, options: object) => void} */ (window.requestIdleCallback || setTimeout)(() => waiting && window.EPSS.start(waiting),
        { timeout: 1000 });
    };
    if (document.readyState === 'complete') begin();
    else { addEventListener('load', begin, { once: true }); setTimeout(begin, 3000); }
  }
}
