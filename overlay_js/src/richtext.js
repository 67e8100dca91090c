// @ts-check
/* global h */
/* exported richText, snippetText */
// Guidance text arrives as a tree of the service's sanitised elements:
// "text" or [tag, {attributes}, ...children]. It becomes DOM nodes here without any HTML
// parsing; tags outside the allow-list keep only their text, links only safe URLs.

const RICH_TAGS = new Set(['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'code', 'pre',
  'blockquote', 'h3', 'h4', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr']);

/** @param {RichNode[]} [nodes]
 * @returns {DocumentFragment} */
function richText(nodes) {
  const fragment = document.createDocumentFragment();
  for (const node of nodes || []) {
    if (typeof node === 'string') { fragment.append(node); continue; }
    const [tag, attrs, ...children] = node;
    if (!RICH_TAGS.has(tag)) { fragment.append(richText(children)); continue; }
    const el = document.createElement(tag);
    if (tag === 'a' && /^(https?:|mailto:)/i.test(attrs.href || '')) {
      Object.assign(el, { href: attrs.href, target: '_blank', rel: 'noopener noreferrer' });
    }
    el.append(richText(children));
    fragment.append(el);
  }
  return fragment;
}

/** A search snippet ("… <mark>word</mark> …", HTML-escaped by the service) as nodes.
 * @param {string} snippet */
function snippetText(snippet) {
  const text = document.createElement('span');
  /** @param {string} s */
  const unescape = (s) => s.replace(/&(amp|lt|gt|quot|#x27|#39);/g,
    (m, e) => /** @type {Record<string, string>} */ ({ amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'" })[e]);
  snippet.split(/<mark[^>]*>(.*?)<\/mark>/).forEach((part, i) => {
    text.append(i % 2 ? h('mark', { text: unescape(part) }) : unescape(part));
  });
  return text;
}
