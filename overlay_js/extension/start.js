// Starts the overlay (overlay.js, injected just before) with the settings of the first
// configured site that matches this page. Runs in the extension's isolated world.
'use strict';

(async () => {
  // Once per page; and not when the page embeds the overlay itself (script tag or
  // bookmarklet): one panel is enough.
  if (self.EPSSStarted || !self.EPSS) return;
  if (document.querySelector('epss-overlay, script[data-epss-app]')) return;
  self.EPSSStarted = true;
  const config = await self.EPSSSites.load();
  const site = self.EPSSSites.siteFor(config, location.href);
  if (site) self.EPSS.start({ service: config.service, app: site.app, team: site.team });
})().catch((error) => console.warn('EPSS extension:', error));
