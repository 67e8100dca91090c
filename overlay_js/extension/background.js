// The service worker: keeps one registered content script whose matches are exactly the
// configured sites (policy or options page), and follows every change of the configuration.
// The content script is the overlay bundle itself (a file of this extension: Manifest V3
// allows no remote code) plus start.js, which starts it with the site's settings.
'use strict';

importScripts('sites.js');

const SCRIPT_ID = 'epss-overlay';
const FILES = ['overlay.js', 'sites.js', 'start.js'];

async function sync() {
  const config = await self.EPSSSites.load();
  for (const problem of config.problems) console.warn(`EPSS configuration (${config.source}): ${problem}`);
  const matches = [...new Set(config.sites.flatMap((site) => site.matches))];
  const [current] = await chrome.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (!matches.length) {
    if (current) await chrome.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
    return;
  }
  const wanted = {
    id: SCRIPT_ID, matches, js: FILES, runAt: 'document_idle', allFrames: false,
    persistAcrossSessions: true,
  };
  if (current && same(current.matches, matches) && same(current.js, FILES)) return;
  if (current) await chrome.scripting.updateContentScripts([wanted]);
  else await chrome.scripting.registerContentScripts([wanted]);
}

function same(a, b) {
  return JSON.stringify(a || []) === JSON.stringify(b || []);
}

// One sync at a time, in order: a burst of changes ends in the state of the last one.
// self.EPSSReady is the latest (for a look from DevTools or a test).
let queue = Promise.resolve();
function resync() {
  queue = queue.then(sync).catch((error) => console.warn('EPSS: registering failed:', error));
  self.EPSSReady = queue;
  return queue;
}

chrome.runtime.onInstalled.addListener(resync);
chrome.runtime.onStartup.addListener(resync);
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed' || area === 'local') resync();
});
resync(); // also on every wake-up: cheap when nothing changed
