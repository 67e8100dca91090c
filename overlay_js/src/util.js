// @ts-check
/* exported h, throttle, prefersReducedMotion, uuid, stored, store */
// Small helpers the other files share.

/** An element: h('button', {class: 'x', onclick: fn, text: 'Sluiten'}, child, ...).
 * Text is always set as text, never parsed as HTML.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]} */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child != null && child !== false) el.append(child);
  return el;
}

/** Calls fn soon (never inside the caller), then at most once per `ms`: calls that come
 * while a run is pending are covered by it.
 * @param {() => void} fn
 * @param {number} ms */
function throttle(fn, ms) {
  let timer = 0;
  let last = 0;
  return function throttled() {
    if (timer) return;
    timer = setTimeout(() => { timer = 0; last = Date.now(); fn(); },
      Math.max(0, last + ms - Date.now()));
  };
}

function prefersReducedMotion() {
  return matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** A random UUID, also outside secure contexts (plain-http intranets). */
function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** JSON in localStorage or sessionStorage; a page that forbids storage still works.
 * @param {'localStorage' | 'sessionStorage'} area
 * @param {string} key
 * @param {unknown} fallback
 * @returns {any} what was stored, unchecked */
function stored(area, key, fallback) {
  try {
    const text = window[area].getItem(key);
    return text == null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

/** Stores `value` as JSON; null or undefined removes it.
 * @param {'localStorage' | 'sessionStorage'} area
 * @param {string} key
 * @param {unknown} value */
function store(area, key, value) {
  try {
    if (value == null) window[area].removeItem(key);
    else window[area].setItem(key, JSON.stringify(value));
  } catch { /* full or forbidden: the overlay works on without it */ }
}
