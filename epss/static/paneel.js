// @ts-check
// The standalone panel (/paneel): starts the help overlay on this page, for the host
// application of the standalone panel, and opens it when a task is chosen.
(() => {
  'use strict';

  const script = /** @type {HTMLScriptElement} */ (document.currentScript);
  addEventListener('load', () => {
    /** @type {any} */
    const epss = /** @type {any} */ (window).EPSS;
    if (!epss) return; // the overlay could not load: the form still works
    const { app, user, team, open } = script.dataset;
    epss.start({ service: new URL('/', location.href).href, app, user: user || undefined,
      team: team || undefined, lang: document.documentElement.lang });
    if (open) epss.open();
  });
})();
