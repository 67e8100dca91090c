// @ts-check
/* exported configFromScript, withDefaults */
// The overlay's settings: from its script tag, or given to EPSS.start().

/** <script src="https://epss…/overlay.js" data-epss-app="…" data-epss-user="…"
 * data-epss-team="…" data-epss-lang="en"> → settings; the service is the script's folder.
 * @param {HTMLScriptElement} script
 * @returns {OverlayConfig} */
function configFromScript(script) {
  const d = script.dataset;
  return { service: new URL('.', script.src).href, app: d.epssApp, user: d.epssUser,
    team: d.epssTeam, lang: d.epssLang };
}

/** @param {OverlayConfig} [config]
 * @returns {OverlaySettings} */
function withDefaults(config) {
  if (!config || !config.app || !config.service) throw new TypeError('EPSS.start({service, app}): both are required');
  const lang = config.lang || ((document.documentElement.lang || '').startsWith('en') ? 'en' : 'nl');
  return {
    shortcut: 'H', // with Alt+Shift
    batchSize: 50, flushDelay: 1000, maxQueue: 2000, watchEvery: 250, manifestMaxAge: 300000,
    ...config, lang, service: new URL(config.service, location.href).href,
  };
}
