// The options page: the configuration for pilots without a browser policy, kept in
// chrome.storage.local. With a policy in force it only shows the policy's settings.
'use strict';

const text = (key, ...args) => chrome.i18n.getMessage(key, args);
const form = document.getElementById('form');
const sitesBox = document.getElementById('sites');
const statusBox = document.getElementById('status');

function translate(root) {
  for (const el of root.querySelectorAll('[data-text]')) {
    const message = text(el.dataset.text);
    if (message) el.textContent = message;
  }
}

function addSite(site = {}) {
  const fragment = document.getElementById('site').content.cloneNode(true);
  translate(fragment);
  const box = fragment.querySelector('.site');
  box.querySelector('[name=app]').value = site.app || '';
  box.querySelector('[name=matches]').value = (site.matches || []).join('\n');
  box.querySelector('[name=team]').value = site.team || '';
  box.querySelector('.remove').addEventListener('click', () => box.remove());
  sitesBox.append(box);
  return box;
}

function read() {
  return {
    service: form.service.value.trim(),
    sites: [...sitesBox.querySelectorAll('.site')].map((box) => {
      const site = {
        app: box.querySelector('[name=app]').value.trim(),
        matches: box.querySelector('[name=matches]').value.split('\n').map((l) => l.trim())
          .filter(Boolean),
      };
      const team = box.querySelector('[name=team]').value.trim();
      return team ? { ...site, team } : site;
    }),
  };
}

function report(lines, isError) {
  statusBox.replaceChildren(...lines.map((line) => {
    const p = document.createElement('p');
    p.textContent = line;
    return p;
  }));
  statusBox.className = isError ? 'notice' : '';
}

async function show() {
  document.documentElement.lang = text('lang') || 'nl';
  document.title = text('optionsTitle');
  translate(document);
  const config = await self.EPSSSites.load();
  const raw = config.source === 'managed'
    ? await chrome.storage.managed.get(null)
    : await chrome.storage.local.get(['service', 'sites']);
  form.service.value = raw.service || '';
  sitesBox.replaceChildren();
  for (const site of Array.isArray(raw.sites) ? raw.sites : []) addSite(site);
  if (!sitesBox.children.length) addSite();
  const managed = config.source === 'managed';
  document.getElementById('managed').hidden = !managed;
  document.getElementById('fields').disabled = managed;
  if (config.problems.length) report(config.problems, true);
}

document.getElementById('add').addEventListener('click', () => {
  addSite().querySelector('[name=app]').focus();
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const raw = read();
  const { problems } = self.EPSSSites.normalize(raw);
  if (problems.length) {
    report([text('notSaved'), ...problems], true); // bad input changes nothing
    return;
  }
  await chrome.storage.local.set(raw);
  report([text('saved')], false);
});

show();
