// The extension's configuration and where it applies. Shared by the service worker
// (importScripts) and the content script (registered before start.js).
//
// Configuration: {service: 'https://epss.gemeente.nl/', sites: [{matches: [...], app, team?}]}
// from managed storage (browser policy, set by IT) when it holds one, otherwise from local
// storage (the options page, for pilots without a policy).
'use strict';

self.EPSSSites = (() => {
  const SCHEMES = ['*', 'http', 'https', 'file', 'ftp', 'ws', 'wss'];
  const PATTERN = /^([a-z*]+):\/\/([^/]*)(\/.*)$/;

  /** A match pattern as {scheme, host, port, path: RegExp}, or null when Chrome would
   * refuse it (https://developer.chrome.com/docs/extensions/develop/concepts/match-patterns). */
  function parsePattern(pattern) {
    if (pattern === '<all_urls>') return { all: true };
    const m = typeof pattern === 'string' && PATTERN.exec(pattern);
    if (!m || !SCHEMES.includes(m[1])) return null;
    let [, scheme, host, path] = m;
    let port = '*';
    const colon = host.lastIndexOf(':');
    if (colon > -1 && !host.endsWith(']')) {
      port = host.slice(colon + 1);
      host = host.slice(0, colon);
      if (!/^(\d+|\*)$/.test(port)) return null;
    }
    if (scheme === 'file' ? host !== '' : host === '') return null;
    const wildcardHost = host.startsWith('*.') ? host.slice(2) : host;
    if (host !== '*' && wildcardHost.includes('*')) return null;
    const glob = path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
    return {
      scheme, port, host: host.toLowerCase(),
      path: new RegExp(`^${glob.join('.*')}$`),
    };
  }

  const DEFAULT_PORTS = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21' };

  function matches(parsed, href) {
    let url;
    try { url = new URL(href); } catch (e) { return false; }
    const scheme = url.protocol.slice(0, -1);
    if (parsed.all) return SCHEMES.includes(scheme);
    if (parsed.scheme === '*' ? !['http', 'https'].includes(scheme) : parsed.scheme !== scheme) {
      return false;
    }
    const host = url.hostname.toLowerCase();
    if (parsed.host.startsWith('*.')) {
      const domain = parsed.host.slice(2);
      if (host !== domain && !host.endsWith(`.${domain}`)) return false;
    } else if (parsed.host !== '*' && parsed.host !== host) {
      return false;
    }
    if (parsed.port !== '*' && parsed.port !== (url.port || DEFAULT_PORTS[url.protocol])) {
      return false;
    }
    return parsed.path.test(url.pathname + url.search);
  }

  /** A configuration as stored → {service, sites, problems}: what is unusable is left out
   * and named in `problems`, so one typo does not switch off the other sites. */
  function normalize(raw) {
    const problems = [];
    let service = typeof raw?.service === 'string' ? raw.service.trim() : '';
    try {
      const url = new URL(service);
      if (!['http:', 'https:'].includes(url.protocol)) throw new TypeError(url.protocol);
      if (!url.pathname.endsWith('/')) url.pathname += '/';
      url.search = '';
      url.hash = '';
      service = url.href;
    } catch (e) {
      if (raw?.service !== undefined || raw?.sites !== undefined) {
        problems.push(`service: not an http(s) URL: ${JSON.stringify(raw?.service ?? null)}`);
      }
      return { service: '', sites: [], problems };
    }
    const sites = [];
    (Array.isArray(raw.sites) ? raw.sites : []).forEach((site, i) => {
      const app = typeof site?.app === 'string' ? site.app.trim() : '';
      const given = Array.isArray(site?.matches) ? site.matches : [];
      const good = given.filter((p) => parsePattern(p));
      for (const p of given) {
        if (!good.includes(p)) problems.push(`sites[${i}].matches: not a match pattern: ${JSON.stringify(p)}`);
      }
      if (!app) problems.push(`sites[${i}].app: missing`);
      if (!good.length) problems.push(`sites[${i}].matches: no usable match pattern`);
      if (!app || !good.length) return;
      const team = typeof site.team === 'string' ? site.team.trim() : '';
      sites.push(team ? { matches: good, app, team } : { matches: good, app });
    });
    return { service, sites, problems };
  }

  /** The configuration in force: the policy's when IT set one, else the options page's. */
  async function load() {
    let managed = {};
    try {
      managed = await chrome.storage.managed.get(null);
    } catch (e) {
      managed = {}; // no policy support on this platform
    }
    if (managed.service !== undefined || managed.sites !== undefined) {
      return { source: 'managed', ...normalize(managed) };
    }
    const local = await chrome.storage.local.get(['service', 'sites']);
    return { source: 'local', ...normalize(local) };
  }

  /** The first site whose patterns match `href`, or undefined. */
  function siteFor(config, href) {
    return config.sites.find((site) => site.matches.some((p) => matches(parsePattern(p), href)));
  }

  return { parsePattern, matches, normalize, load, siteFor };
})();
