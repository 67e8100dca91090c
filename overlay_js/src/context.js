// @ts-check
/* global pathSegments, throttle */
/* exported readPage, pageKey, watchPage */
// What the overlay knows of the page: URL, title, the manifest's markers, data-epss-* hints
// (zaaktype, task, and case: the case reference the events carry, stored only as a keyed hash);
// and when that may have changed (navigation in single-page apps, DOM changes).

/** @param {string[]} markers
 * @returns {PageFacts} */
function readPage(markers) {
  /** @param {string} name */
  const hint = (name) => {
    const el = document.querySelector(`[data-epss-${name}]`);
    return el ? el.getAttribute(`data-epss-${name}`) : null;
  };
  /** @param {string} selector */
  const present = (selector) => {
    try { return !!document.querySelector(selector); } catch { return false; }
  };
  const path = location.pathname;
  return {
    path, segments: pathSegments(path), title: document.title,
    markers: new Set(markers.filter(present)), zaaktype: hint('zaaktype'), task: hint('task'),
    caseRef: hint('case'),
  };
}

/** @param {PageFacts} page */
function pageKey(page) {
  return [page.path, page.title, [...page.markers].join(' '), page.zaaktype, page.task, page.caseRef].join('\n');
}

/** Calls onChange (throttled) after navigation or a DOM change; returns the teardown.
 * @param {() => void} onChange
 * @param {number} every
 * @returns {() => void} */
function watchPage(onChange, every) {
  const changed = throttle(onChange, every);
  const observer = new MutationObserver(changed);
  observer.observe(document.documentElement, { childList: true, subtree: true, attributes: true });
  const events = ['popstate', 'hashchange'];
  events.forEach((e) => addEventListener(e, changed));
  const nav = window.navigation;
  let undo;
  if (nav && nav.addEventListener) {
    nav.addEventListener('currententrychange', changed);
    undo = () => nav.removeEventListener('currententrychange', changed);
  } else {
    const { pushState, replaceState } = history;
    history.pushState = function push(...args) { pushState.apply(this, args); changed(); };
    history.replaceState = function replace(...args) { replaceState.apply(this, args); changed(); };
    undo = () => Object.assign(history, { pushState, replaceState });
  }
  return () => {
    observer.disconnect();
    events.forEach((e) => removeEventListener(e, changed));
    undo();
  };
}
