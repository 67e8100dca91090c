// @ts-check
/* global h, t, stored, store */
/* exported watchFinishButtons */
// The host's buttons that finish a case (the manifest's finish_buttons): pressed while
// mandatory steps of the task on screen are unticked, the person is told which, beside the
// launcher. The press itself goes on: the host decides, the overlay only warns. A press that
// loads another page is told there: the warning waits in this tab for a few seconds.

const FINISHING = 'epss:finishing';

/** @param {HTMLElement} notice an empty element in the overlay's shadow root
 * @param {{ buttons: () => string[], unticked: () => Promise<{ title: string, left: FinishWarning['left'] } | null>,
 *   open: () => void, back: HTMLElement }} how the selectors of the host's finish buttons; the
 *   task on screen and its mandatory steps left unticked (null when none are); opening the
 *   panel; where the focus goes back to when the warning is closed
 * @returns {() => void} stops watching */
function watchFinishButtons(notice, how) {
  /** @param {MouseEvent} e */
  function pressed(e) {
    const target = /** @type {Element} */ (e.target);
    const matched = target instanceof Element && how.buttons().some((s) => {
      try { return !!target.closest(s); } catch { return false; } // not a valid selector
    });
    if (matched) how.unticked().then((found) => found && warn({ at: Date.now(), ...found }), () => {});
  }

  /** @param {FinishWarning} warning */
  function warn(warning) {
    store('sessionStorage', FINISHING, warning);
    const { title, left } = warning;
    const n = left.length;
    const close = (/** @type {HTMLElement | null} */ focus) => () => {
      notice.hidden = true;
      store('sessionStorage', FINISHING, null);
      if (focus) focus.focus(); else how.open();
    };
    notice.replaceChildren(
      h('p', { text: n === 1 ? t('Let op: 1 verplichte stap van "{t}" is nog niet afgevinkt:', { t: title })
        : t('Let op: {n} verplichte stappen van "{t}" zijn nog niet afgevinkt:', { n, t: title }) }),
      h('ul', {}, left.slice(0, 3).map((s) => h('li', { text: `${t('Stap {n}', { n: s.n })}: ${s.title}` })),
        n > 3 && h('li', { text: t('en nog {n}', { n: n - 3 }) })),
      h('div', { class: 'epss-notice-actions' },
        h('button', { class: 'epss-notice-button', type: 'button', text: t('Toon de stappen'), onclick: close(null) }),
        h('button', { class: 'epss-notice-button', type: 'button', text: t('Sluiten'), onclick: close(how.back) })));
    notice.hidden = false;
  }

  addEventListener('click', pressed, true);
  /** @type {FinishWarning | null} */
  const waiting = stored('sessionStorage', FINISHING, null); // from the page before this one
  if (waiting && Date.now() - waiting.at < 15e3) warn(waiting);
  else store('sessionStorage', FINISHING, null);
  return () => removeEventListener('click', pressed, true);
}
