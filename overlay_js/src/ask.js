// @ts-check
/* global h, t */
/* exported askForm */
// A small form that opens under a step's buttons: a reason to deviate, feedback. With
// choices (a task's reasons to deviate), one is chosen, or "Anders" with one's own words.
// Sent (once: it closes), the focus goes back to the button that opened it.

/**
 * @param {string} prefix the step's element id, for the form's ids
 * @param {string} name
 * @param {string} label
 * @param {string} max
 * @param {string} submit
 * @param {(text: string, choice: number | null) => void} done choice: 1 for the first
 * @param {{ optional?: boolean, hint?: string, choices?: string[] }} [how]
 * @returns {HTMLFormElement & { toggle: (e: Click) => void }} */
function askForm(prefix, name, label, max, submit, done, how = {}) {
  /** @type {HTMLElement} */
  let opener;
  const id = `${prefix}-${name}`;
  const choices = how.choices || [];
  const hint = how.hint && h('p', { class: 'epss-hint', id: `${id}-hint`, text: t(how.hint) });
  const field = /** @type {HTMLTextAreaElement} */ (h('textarea', { id, maxlength: max, rows: '2',
    required: !how.optional && !choices.length, 'aria-describedby': hint ? hint.id : null,
    'aria-label': choices.length ? t('Anders, namelijk:') : null, oninput: () => field.setCustomValidity('') }));
  const radio = (/** @type {number} */ n, /** @type {string} */ text) => h('label', { class: 'epss-choice' },
    h('input', { type: 'radio', name: id, value: String(n), onchange: () => { field.disabled = n > 0; first.setCustomValidity(''); } }),
    text);
  const options = choices.map((text, k) => radio(k + 1, text));
  const other = choices.length > 0 && radio(0, t('Anders, namelijk:'));
  const first = /** @type {HTMLInputElement} */ (options.length ? options[0].firstChild : field);
  const chosen = () => {
    const on = /** @type {HTMLInputElement | null} */ (el.querySelector('input[type=radio]:checked'));
    return on ? Number(on.value) : null;
  };
  const el = /** @type {HTMLFormElement & { toggle: (e: Click) => void }} */ (h('form', { class: 'epss-ask', hidden: true,
    onsubmit: (/** @type {SubmitEvent} */ e) => {
      e.preventDefault();
      const choice = chosen();
      if (choices.length && choice === null) { first.setCustomValidity(t('Kies eerst een reden.')); first.reportValidity(); return; }
      const text = choice ? '' : field.value.trim();
      if (!choice && !text && !how.optional) { field.setCustomValidity(t('Vul eerst iets in.')); field.reportValidity(); return; }
      done(text, choice || null);
      el.hidden = true;
      el.reset();
      field.disabled = false;
      opener.focus();
    } },
  choices.length
    ? h('fieldset', { class: 'epss-choices' }, h('legend', { text: t(label) }), options, other, hint, field)
    : [h('label', { for: id, text: t(label) }), hint, field],
  h('button', { class: 'epss-button', text: t(submit) })));
  el.toggle = (e) => {
    if (e.detail > 1) return; // the second click of a double click: the form stays open
    opener = /** @type {HTMLElement} */ (e.target); el.hidden = !el.hidden; if (!el.hidden) first.focus();
  };
  return el;
}
