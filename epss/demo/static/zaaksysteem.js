// Zaaksysteem Gemeente Dijkhaven (demo): client-side routing of the single-page variant.
//
// The server sends the screen of the URL, plus every screen (and the "Twijfel melden"
// state of the travel document screens) as a <template data-scherm="its URL">. A link or
// GET form to a URL that has a template does not load a page: the template is cloned into
// <main>, the title, the navigation and the URL follow (history.pushState), and focus moves
// to the new heading. Back and forward (popstate) show the screen of the URL again.
// Anything else (other URLs, modifier keys, new tabs) is left to the browser.
//
// One screen change happens in one task: content, title, navigation, URL, focus. Code that
// watches the page (the help overlay) sees the new screen and the new URL together.
'use strict';

(() => {
  const main = document.getElementById('hoofdinhoud');
  const screens = new Map();
  for (const template of document.querySelectorAll('template[data-scherm]')) {
    screens.set(template.dataset.scherm, template);
  }
  if (!main || screens.size === 0) return;

  /** The template of a URL: its path, in the doubt state when the URL asks for it. */
  function screenOf(url) {
    if (url.origin !== location.origin) return null;
    const doubt = url.searchParams.get('twijfel') === '1' && screens.get(`${url.pathname}?twijfel=1`);
    const zaak = url.searchParams.get('zaak');
    const ofCase = zaak && screens.get(`${url.pathname}?zaak=${zaak}`);
    return doubt || ofCase || screens.get(url.pathname) || null;
  }

  let current = screenOf(new URL(location.href));

  function show(screen, url, { push = false, restore = false } = {}) {
    main.replaceChildren(screen.content.cloneNode(true));
    document.title = screen.dataset.titel;
    for (const link of document.querySelectorAll('.zijnav__link')) {
      if (link.pathname === screen.dataset.nav) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const other = document.querySelector('a[data-ander]');
    if (other) other.href = screen.dataset.ander;
    if (push) history.pushState(null, '', url.href);
    current = screen;

    const id = decodeURIComponent(url.hash.slice(1));
    const target = (id && document.getElementById(id)) || main.querySelector('h1') || main;
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    if (!restore && !id) window.scrollTo(0, 0);
    target.focus({ preventScroll: restore });
  }

  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest && event.target.closest('a[href]');
    if (!link || (link.target && link.target !== '_self') || link.hasAttribute('download')) return;
    const url = new URL(link.href);
    const screen = screenOf(url);
    if (!screen || (screen === current && url.hash)) return; // same screen: a skip link
    event.preventDefault();
    show(screen, url, { push: url.href !== location.href });
  });

  document.addEventListener('submit', (event) => {
    const form = event.target;
    // Attributes, not form.method and form.action: a control with that name hides those.
    const method = (form.getAttribute('method') || 'get').toLowerCase();
    if (event.defaultPrevented || method !== 'get') return;
    const url = new URL(form.getAttribute('action') || location.href, location.href);
    url.search = new URLSearchParams(new FormData(form, event.submitter)).toString();
    const screen = screenOf(url);
    if (!screen) return;
    event.preventDefault();
    // The demo stores nothing: a form for the screen already shown changes nothing.
    if (screen !== current) show(screen, url, { push: true });
  });

  window.addEventListener('popstate', () => {
    const url = new URL(location.href);
    const screen = screenOf(url);
    if (screen === current) return; // only the fragment changed
    if (screen) show(screen, url, { restore: true });
    else location.reload(); // a page the server renders itself, such as "not found"
  });
})();
