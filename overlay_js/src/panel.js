// @ts-check
/* global h, t, askForm, richText, snippetText, stored, store, throttle */
/* exported createPanel */
// The panel: the steps of one task (the current one open), other tasks of this screen,
// and search. Rendering only; the controller (main.js) decides what is shown.

/** @type {Record<FeedbackKind, string>} */
const KINDS = { klopt_niet: 'Klopt niet', onduidelijk: 'Onduidelijk', suggestie: 'Suggestie' };

/** @param {ShadowRoot} root
 * @param {PanelController} ctl */
function createPanel(root, ctl) {
  const title = h('h2', { id: 'epss-title', class: 'epss-title', tabindex: '-1' });
  const kicker = h('p', { class: 'epss-kicker' });
  const results = h('section', { class: 'epss-results', 'aria-live': 'polite' });
  const view = h('div', { class: 'epss-view' });
  const mine = h('section', { class: 'epss-others', hidden: true });
  // What is kept of what one types, said before one types it (again with every view: the
  // service's manifest, which says it, may arrive after the panel is built).
  const searchKeeps = () => t(ctl.keepsReasons()
    ? 'Wat u zoekt, wordt bewaard, met nummers, datums en namen eruit gehaald.' : 'Wat u zoekt, wordt niet bewaard.');
  const searchHint = h('p', { class: 'epss-hint', id: 'epss-q-hint', text: searchKeeps() });
  const input = h('input', { type: 'search', id: 'epss-q', class: 'epss-input', maxlength: '200', autocomplete: 'off',
    'aria-describedby': 'epss-q-hint' });
  const form = h('form', { class: 'epss-search', role: 'search', onsubmit: search },
    h('label', { for: 'epss-q', text: t('Zoeken in de hulp') }),
    h('div', { class: 'epss-row' }, input, h('button', { class: 'epss-button', text: t('Zoek') })), searchHint);
  const el = h('div', {
    id: 'epss-panel', class: 'epss-panel epss-closed', role: 'dialog', 'aria-labelledby': 'epss-title',
    onkeydown: (/** @type {KeyboardEvent} */ e) => { if (e.key === 'Escape') { e.stopPropagation(); ctl.close(); } },
  },
  h('div', { class: 'epss-head' },
    h('div', {}, kicker, title),
    h('div', { class: 'epss-tools' },
      h('button', { class: 'epss-tool', type: 'button', 'aria-label': t('Inklappen'), title: t('Inklappen'), text: '–', onclick: () => arrange({ slim: true }) }),
      h('button', { class: 'epss-tool epss-side', type: 'button', onclick: () => arrange({ side: layout.side === 'left' ? 'right' : 'left' }) }),
      h('button', { class: 'epss-close', type: 'button', 'aria-label': t('Sluiten'), text: '×', onclick: () => ctl.close() }))),
  h('div', { class: 'epss-body' }, results, view, mine), form);
  // Folded: a slim strip beside the page with the current step, one click from the steps.
  const strip = h('button', { class: 'epss-strip', type: 'button', text: t('Hulp'), onclick: () => arrange({ slim: false }) });
  // The panel's width, by pointer or by arrow keys (a separator, as screen readers know it).
  const grip = h('div', { class: 'epss-grip', role: 'separator', tabindex: '0', 'aria-orientation': 'vertical',
    'aria-label': t('Breedte van het paneel'), 'aria-valuemin': '300', onkeydown: (/** @type {KeyboardEvent} */ e) => {
      const step = { ArrowLeft: -40, ArrowRight: 40 }[e.key];
      if (!step) return;
      e.preventDefault();
      arrange({ width: layout.width + (layout.side === 'left' ? step : -step) });
    }, onpointerdown: (/** @type {PointerEvent} */ e) => {
      e.preventDefault();
      const move = (/** @type {PointerEvent} */ m) => arrange({ width: layout.side === 'left' ? m.clientX : innerWidth - m.clientX });
      addEventListener('pointermove', move);
      addEventListener('pointerup', () => removeEventListener('pointermove', move), { once: true });
    } });
  el.append(strip, grip);
  root.append(el);

  // Where the panel sits, how wide, folded or not: the person's choice, kept in this browser.
  const LAYOUT = 'epss:panel-layout';
  /** @type {PanelLayout} */
  let layout = { side: 'right', width: 380, slim: false, ...stored('localStorage', LAYOUT, {}) };
  /** @param {Partial<PanelLayout>} change */
  function arrange(change) {
    const widest = Math.max(300, Math.min(720, innerWidth - 320));
    layout = { ...layout, ...change };
    layout.width = Math.round(Math.max(300, Math.min(widest, layout.width)));
    store('localStorage', LAYOUT, layout);
    el.classList.toggle('epss-left', layout.side === 'left');
    el.classList.toggle('epss-slim', layout.slim);
    el.style.width = layout.slim ? '' : `${shownWidth()}px`;
    grip.setAttribute('aria-valuenow', String(layout.width));
    grip.setAttribute('aria-valuemax', String(widest));
    const side = /** @type {HTMLElement} */ (el.querySelector('.epss-side'));
    side.textContent = layout.side === 'left' ? '⇥' : '⇤';
    side.setAttribute('aria-label', t(layout.side === 'left' ? 'Naar rechts' : 'Naar links'));
    side.title = side.getAttribute('aria-label');
    dock(false);
    if (!el.classList.contains('epss-closed')) dock(true);
    if ('slim' in change) (layout.slim ? strip : title).focus();
  }

  /** @type {(PanelTask & { start: string | null | undefined }) | null} */
  let task = null;
  /** @type {Set<string>} */
  let ticks = new Set();
  /** @type {Set<string>} */
  let changed = new Set(); // ticked on an earlier content of the step
  /** @type {PanelStep | null} */
  let openStep = null;

  // Beside the page, not over it: while the panel is open the page makes room for it,
  // where the window is wide enough to keep PAGE_KEEPS of the page usable; narrower than
  // chosen (down to 300 px) where that is what it takes.
  const PAGE_KEEPS = 640;
  const shownWidth = () => {
    const room = innerWidth - PAGE_KEEPS;
    return layout.width > room && room >= 300 ? room : Math.min(layout.width, innerWidth);
  };
  addEventListener('resize', throttle(() => { if (!el.classList.contains('epss-closed')) arrange({}); }, 100));
  const page = document.documentElement;
  /** @type {{ side: string, value: string } | null} */
  let pageMargin = null;
  /** @param {boolean} on */
  function dock(on) {
    if (on && pageMargin === null && innerWidth - el.offsetWidth >= PAGE_KEEPS) {
      const side = layout.side === 'left' ? 'margin-left' : 'margin-right';
      pageMargin = { side, value: page.style.getPropertyValue(side) };
      page.style.setProperty(side, `${el.offsetWidth}px`);
    } else if (!on && pageMargin !== null) {
      page.style.setProperty(pageMargin.side, pageMargin.value);
      pageMargin = null;
    }
  }

  /** @param {string} text
   * @param {string} [kickerText] */
  function heading(text, kickerText) {
    title.textContent = text;
    kicker.textContent = kickerText || '';
    searchHint.textContent = searchKeeps();
  }

  /** @param {string} text
   * @param {...Node} extra */
  function message(text, ...extra) {
    task = null;
    openStep = null;
    ctl.highlight(null);
    view.replaceChildren(h('p', { class: 'epss-message', text }), ...extra);
  }

  // Always an element (replaceChildren would show `false` as text), hidden when empty.
  /** @param {string} label
   * @param {TaskMatch[]} items */
  function list(label, items) {
    return h('section', { class: 'epss-others', hidden: !items.length }, h('h3', { text: label }),
      h('ul', {}, items.map((m) => h('li', {}, h('button', {
        class: 'epss-link', type: 'button', text: m.title,
        onclick: () => ctl.openTask(m.task, m.version, m.start_step, 'manual'),
      })))));
  }

  /** @param {string} kind
   * @param {string} label
   * @param {RichNode[]} nodes */
  function note(kind, label, nodes) {
    return nodes.length > 0 && h('div', { class: `epss-note epss-${kind}` },
      h('h4', { text: t(label) }), richText(nodes));
  }

  function current() {
    const start = Math.max(0, task.steps.findIndex((s) => s.id === task.start));
    const order = [...task.steps.slice(start), ...task.steps.slice(0, start)];
    return order.find((s) => !ticks.has(s.id)) || null;
  }

  function progress() {
    const now = current();
    view.querySelector('.epss-progress').textContent = now
      ? t('{n} van {m} stappen gedaan', { n: ticks.size, m: task.steps.length })
      : t('Alle stappen zijn gedaan.');
    const n = now ? task.steps.indexOf(now) + 1 : 0;
    strip.textContent = now ? t('Stap {n} van {m}', { n, m: task.steps.length }) : t('Klaar');
    // No template inside a template: the minifier (rjsmin) would take the space after the comma.
    const where = now ? [strip.textContent, now.title].join(', ') : task.title;
    strip.setAttribute('aria-label', `${t('Uitklappen')}: ${where}`);
    /** @type {NodeListOf<HTMLElement>} */ (view.querySelectorAll('.epss-step')).forEach((li) => {
      li.classList.toggle('epss-done', ticks.has(li.dataset.step));
      if (now && li.dataset.step === now.id) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
  }

  /** @param {PanelStep} step
   * @param {boolean} open */
  function expand(step, open) {
    const li = view.querySelector(`[data-step="${CSS.escape(step.id)}"]`);
    li.querySelector('.epss-step-toggle').setAttribute('aria-expanded', String(open));
    /** @type {HTMLElement} */ (li.querySelector('.epss-step-body')).hidden = !open;
    if (open) {
      openStep = step;
      ctl.emit('step_viewed', { step_id: step.id });
      ctl.highlight(step);
    } else if (openStep === step) {
      openStep = null;
      ctl.highlight(null);
    }
  }

  /** @param {PanelStep} step */
  function goTo(step) {
    expand(step, true);
    /** @type {HTMLElement} */ (view.querySelector(`[data-step="${CSS.escape(step.id)}"] .epss-step-toggle`)).focus();
  }

  /** @param {PanelStep} step
   * @param {boolean} done */
  function tick(step, done) {
    if (done) ticks.add(step.id); else ticks.delete(step.id);
    if (changed.delete(step.id)) view.querySelector(`[data-step="${CSS.escape(step.id)}"] .epss-changed`).remove();
    ctl.saveTicks(task, ticks);
    ctl.emit(done ? 'step_checked' : 'step_unchecked', { step_id: step.id });
    if (done && openStep === step) {
      expand(step, false);
      const next = current();
      if (next) expand(next, true);
    }
    progress();
  }

  /** @param {PanelStep} step
   * @param {number} i */
  function stepItem(step, i) {
    const id = `epss-step-${i}`;
    const said = h('p', { class: 'epss-said', role: 'status' });
    /** @param {string} text */
    const say = (text) => { said.textContent = text; };
    const box = h('input', { type: 'checkbox', class: 'epss-tick', 'aria-label': `${t('Gedaan')}: ${step.title}`, onchange: () => tick(step, box.checked) });
    box.checked = ticks.has(step.id);
    const ask = askForm.bind(null, id);
    const kept = ctl.keepsReasons();
    const choices = task.deviation_reasons || []; // (a task kept from an older service has none)
    const deviate = ask('reason', 'Reden van afwijken', '500', 'Vastleggen', (reason, choice) => {
      ctl.emit('step_deviated', { step_id: step.id, details: choice ? { choice } : { reason } });
      say(t(kept || choice ? 'Afwijking vastgelegd.' : 'Afwijking vastgelegd, zonder de reden.'));
    }, {
      choices,
      hint: kept ? 'Noem geen gegevens van burgers; wat erop lijkt, wordt eruit gehaald.'
        : choices.length ? 'Wat u bij ‘anders’ typt, wordt niet bewaard.' : 'De reden wordt niet bewaard: alleen dat u afweek.',
    });
    /** @param {FeedbackKind} kind
     * @param {string} [comment] */
    const feedback = (kind, comment) => {
      ctl.feedback(step.id, kind, comment || undefined, task.title, i + 1);
      say(t('Bedankt, de redactie kijkt ernaar.'));
    };
    const citizens = { hint: 'Noem geen gegevens van burgers.' };
    const wrong = ask('wrong', 'Wat klopt er niet? (mag leeg blijven)', '1000', 'Versturen', (text) => feedback('klopt_niet', text), { ...citizens, optional: true });
    const unclear = ask('unclear', 'Wat is onduidelijk? (mag leeg blijven)', '1000', 'Versturen', (text) => feedback('onduidelijk', text), { ...citizens, optional: true });
    const suggest = ask('idea', 'Uw suggestie', '1000', 'Versturen', (text) => feedback('suggestie', text), citizens);
    /** @param {string} label
     * @param {(e: Click) => void} onclick */
    const action = (label, onclick) => h('button', { class: 'epss-action', type: 'button', text: t(label), onclick });
    const branches = step.branches.length > 0 && h('ul', { class: 'epss-branches', 'aria-label': t('Twijfel?') },
      step.branches.map((b) => {
        const n = task.steps.findIndex((s) => s.id === b.step) + 1;
        return h('li', {}, `${b.if}: `, b.task
          ? h('button', { class: 'epss-link', type: 'button', text: t('Open taak: {t}', { t: b.task_title }), onclick: () => ctl.openTask(b.task, null, null, 'manual') })
          : h('button', { class: 'epss-link', type: 'button', text: t('Ga naar stap {n}', { n }), onclick: () => goTo(task.steps[n - 1]) }));
      }));
    const sources = step.sources.length > 0 && h('p', { class: 'epss-sources' }, `${t('Bron')}: `,
      step.sources.flatMap((s, k) => {
        const name = s.section ? `${s.title}, ${s.section}` : s.title;
        return [k ? '; ' : '', s.url ? h('a', { href: /^https?:/.test(s.url) ? s.url : null, target: '_blank', rel: 'noopener noreferrer', text: name }) : name];
      }));
    const terms = step.terms.length > 0 && h('details', { class: 'epss-terms' },
      h('summary', { text: `${t('Begrippen in deze stap')} (${step.terms.length})` }),
      h('dl', {}, step.terms.flatMap((term) => [h('dt', { text: term.term }), h('dd', { text: term.definition })])));
    return h('li', { class: 'epss-step', 'data-step': step.id },
      h('div', { class: 'epss-step-head' }, box, h('h3', {}, h('button', {
        class: 'epss-step-toggle', type: 'button', 'aria-expanded': 'false', 'aria-controls': id,
        onclick: (/** @type {MouseEvent & { currentTarget: Element }} */ e) => expand(step, e.currentTarget.getAttribute('aria-expanded') !== 'true'),
      }, h('span', { class: 'epss-num', text: `${t('Stap {n}', { n: i + 1 })} ` }), step.title,
      h('span', { class: step.mandatory ? 'epss-badge epss-mandatory' : 'epss-badge', text: t(step.mandatory ? 'Verplicht' : 'Advies') }),
      changed.has(step.id) && h('span', { class: 'epss-changed', text: t('gewijzigd sinds u deze stap afvinkte') })))),
      h('div', { class: 'epss-step-body', id, hidden: true },
        step.estimated_minutes && h('p', { class: 'epss-duration', text: t('ongeveer {n} min.', { n: step.estimated_minutes }) }),
        h('div', { class: 'epss-text' }, richText(step.instruction)),
        note('why', 'Waarom', step.why), note('warning', 'Let op', step.warning),
        note('check', 'Controle', step.check),
        (step.field_tip || step.field_checks.length > 0) && h('div', { class: 'epss-atfield' },
          step.field_tip && h('p', {}, h('strong', { text: `${t('Tip bij het veld')}: ` }), step.field_tip),
          h('p', { class: 'epss-atfield-said', role: 'status' })),
        branches, sources, terms,
        h('div', { class: 'epss-actions' },
          step.target.length > 0 && action('Wijs het veld aan', () => ctl.highlight(step)),
          action('Ik wijk af, omdat…', deviate.toggle),
          action('Klopt niet', wrong.toggle), action('Onduidelijk', unclear.toggle),
          action('Suggestie', suggest.toggle)),
        deviate, wrong, unclear, suggest, said));
  }

  /** @param {SubmitEvent} e */
  async function search(e) {
    e.preventDefault();
    const q = input.value.trim();
    if (!q) { results.replaceChildren(); return; }
    /** @type {SearchHit[]} */
    let found = [];
    try { found = (await ctl.search(q)).results; } catch { /* shown as nothing found */ }
    ctl.emit('search', { details: { query: q, results: found.length } });
    results.replaceChildren(h('h3', { text: found.length ? t('{n} resultaten', { n: found.length }) : t('Niets gevonden voor "{q}".', { q }) }),
      h('ul', {}, found.map((r) => h('li', {}, h('button', {
        class: 'epss-link', type: 'button',
        onclick: () => { results.replaceChildren(); ctl.openTask(r.task_slug, r.task_version, r.step_id, 'search'); },
      }, r.step_id ? `${r.task_title}: ${r.title}` : r.task_title), h('p', { class: 'epss-snippet' }, snippetText(r.snippet))))));
  }

  return {
    el,
    // Closed, the panel keeps its layout (visibility: hidden), so opening again is cheap.
    get open() { return !el.classList.contains('epss-closed'); },
    show() { el.classList.remove('epss-closed'); arrange({ slim: false }); }, // opened: unfolded
    hide() { el.classList.add('epss-closed'); dock(false); ctl.highlight(null); },
    focus() { title.focus(); },
    /** @param {Node | null} node */
    contains: (node) => el.contains(node),
    /** What the checks at the step's field found: a problem, all well (once something is
     * typed), or nothing to say yet.
     * @param {PanelStep} step
     * @param {string | null} problem
     * @param {boolean} typed */
    atField(step, problem, typed) {
      const said = view.querySelector(`[data-step="${CSS.escape(step.id)}"] .epss-atfield-said`);
      if (!said) return;
      said.classList.toggle('epss-problem', !!problem);
      said.textContent = problem ? `${t('Bij het veld')}: ${problem}`
        : typed && step.field_checks.length ? `${t('Bij het veld')}: ${t('in orde')}` : '';
    },
    /** "Uw meldingen": what this person reported from this browser, what became of it,
     * and where all of it is, from any workstation (their page on the service, signed in).
     * @param {SentFeedback[]} items
     * @param {string | null} everywhere */
    mine(items, everywhere) {
      /** @param {SentFeedback} m */
      const state = (m) => (m.status === 'accepted'
        ? (m.changed_in_version ? t('aangepast in versie {v}', { v: m.changed_in_version }) : t('aangenomen'))
        : t(/** @type {Record<string, string>} */ ({ refused: 'niet verstuurd', new: 'in behandeling', declined: 'afgewezen' })[m.status]
          || 'wordt verstuurd'));
      mine.hidden = !items.length && !everywhere;
      /** @type {HTMLElement[]} */
      const parts = [h('h3', { text: t('Uw meldingen') })];
      if (items.length) parts.push(h('ul', {}, items.map((m) => h('li', {},
        h('strong', { text: m.task_title }), h('br'),
        `${t('U meldde: {k} bij stap {n}', { k: t(KINDS[m.kind]).toLowerCase(), n: m.step_number })} — ${state(m)}`,
        m.answer && [h('br'), h('q', { text: m.answer })]))));
      if (everywhere) parts.push(h('p', {}, h('a', { href: everywhere, target: '_blank', rel: 'noopener',
        text: t('Al uw meldingen en de antwoorden, op elke werkplek') })));
      mine.replaceChildren(...parts);
    },
    loading() { heading(t('Laden…')); message(''); },
    /** @param {() => void} retry */
    unavailable(retry) {
      heading(t('Hulp niet beschikbaar'));
      message(t('De hulp is nu niet bereikbaar. Uw werk gaat gewoon door; probeer het later opnieuw.'),
        h('button', { class: 'epss-button', type: 'button', text: t('Opnieuw proberen'), onclick: retry }));
    },
    /** @param {TaskMatch[]} suggestions */
    noMatch(suggestions) {
      heading(t('Hulp'));
      message(t('Voor dit scherm is geen vaste instructie. Zoek hieronder wat u nodig hebt.'),
        list(t('Misschien zoekt u'), suggestions));
    },
    /** @param {PanelTask} shown
     * @param {TaskState} state */
    showTask(shown, state) {
      const { start, others, done, news } = state;
      task = { ...shown, start };
      ticks = done;
      changed = state.changed;
      openStep = null;
      heading(task.title, t('Hulp bij deze taak'));
      // Not toLocaleDateString: loading the locale data would cost the first open ~30 ms.
      const published = task.published_at.slice(0, 10).split('-').reverse().join('-');
      // "Opnieuw beginnen" asks first: it takes every tick of this case away.
      const restart = h('button', { class: 'epss-action', type: 'button', text: t('Opnieuw beginnen'), onclick: () => {
        restart.hidden = true; sure.hidden = false; /** @type {HTMLElement} */ (sure.querySelector('button')).focus();
      } });
      const sure = h('div', { class: 'epss-sure', role: 'group', 'aria-label': t('Opnieuw beginnen'), hidden: true },
        h('p', { text: t('Alle vinkjes van deze taak weghalen?') }),
        h('button', { class: 'epss-action', type: 'button', text: t('Ja, opnieuw beginnen'), onclick: () => {
          ticks.clear(); ctl.saveTicks(task, ticks); this.showTask(shown, { ...state, done: ticks, changed: new Set(), news: [] });
        } }),
        h('button', { class: 'epss-action', type: 'button', text: t('Nee'), onclick: () => { sure.hidden = true; restart.hidden = false; restart.focus(); } }));
      view.replaceChildren(
        h('div', { class: 'epss-news', role: 'status', hidden: !news.length }, // replaceChildren shows `false`
          h('p', { text: t('Gewijzigd sinds u deze taak opende:') }),
          h('ul', {}, news.map((s) => h('li', { text: `${t('Stap {n}', { n: s.n })}: ${s.title}` })))),
        // The goal is read the first time; after that it folds away, above the steps.
        h('details', { class: 'epss-goal', open: state.firstTime }, h('summary', { text: t('Doel van deze taak') }),
          h('div', { class: 'epss-goal-text' }, richText(task.goal))),
        h('p', { class: 'epss-progress', 'aria-live': 'polite' }),
        h('ol', { class: 'epss-steps' }, task.steps.map(stepItem)),
        restart, sure,
        list(t('Andere taken op dit scherm'), others),
        h('p', { class: 'epss-version' }, `${t('Versie {n}, gepubliceerd {d}', { n: task.version, d: published })} · `,
          h('a', { href: ctl.fullText(task), target: '_blank', rel: 'noopener', text: t('Volledige tekst') })));
      progress();
      const now = current();
      if (now) expand(now, true);
    },
  };
}
