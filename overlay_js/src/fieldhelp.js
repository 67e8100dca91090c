// @ts-check
/* global h, t, fieldProblem */
/* exported createFieldHelp */
// Help at the field: the open step's tip beside its field, and its checks run on what is
// typed there, as the person types. Shown at the field and told to the panel; never sent,
// never in the way (nothing is blocked or changed on the host page).

/** @param {(content: Node | null) => void} note shows content beside the field (the highlighter's note)
 * @param {(step: PanelStep, problem: string | null, typed: boolean) => void} report what the checks found, for the panel */
function createFieldHelp(note, report) {
  /** @type {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | null} */
  let field = null;
  /** @type {PanelStep | null} */
  let step = null;
  let touched = false; // "nog leeg" only once the person has been in the field

  const value = () => (field ? field.value : '');
  // The host may say which day is today for its cases (a training environment with fixed
  // dates): data-epss-today="jjjj-mm-dd"; else the desk's own clock.
  const today = () => {
    const said = document.querySelector('[data-epss-today]');
    const day = said && /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(said.getAttribute('data-epss-today'));
    return day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 12) : new Date();
  };
  /** The first problem, translated; null when every check holds. */
  function problem() {
    for (const check of step.field_checks) {
      const found = fieldProblem(check, value(), today());
      if (found && (check.kind !== 'required' || touched)) return found.own ? found.text : t(found.text, found.params);
    }
    return null;
  }

  function run() {
    const said = field && step.field_checks.length ? problem() : null;
    note(step.field_tip || said ? h('div', {},
      step.field_tip && h('p', { text: step.field_tip }),
      said && h('p', { class: 'hl-problem', text: `⚠ ${said}` })) : null);
    report(step, said, value().trim() !== '');
  }
  const leave = () => { touched = true; run(); };

  function detach() {
    if (field) { field.removeEventListener('input', run); field.removeEventListener('change', leave); field.removeEventListener('blur', leave); }
    field = null;
    step = null;
  }

  return {
    /** The step's field was found on the page (the highlighted element, or the first field in it).
     * @param {Element} element
     * @param {PanelStep} shown */
    attach(element, shown) {
      detach();
      if (!shown.field_tip && !shown.field_checks.length) return;
      step = shown;
      touched = false;
      // The field typed in: the highlighted element, or the first field in it, or else in
      // the elements the step's other selectors find.
      const FIELDS = 'input:not([type=hidden]), textarea, select';
      /** @param {Element | null} el */
      const fieldIn = (el) => (el && (el.matches(FIELDS) ? el : el.querySelector(FIELDS)));
      const others = shown.target.map((s) => { try { return fieldIn(document.querySelector(s)); } catch { return null; } });
      field = /** @type {typeof field} */ (fieldIn(element) || others.find(Boolean) || null);
      if (field) {
        field.addEventListener('input', run);
        field.addEventListener('change', leave);
        field.addEventListener('blur', leave);
      }
      run();
    },
    detach,
  };
}
