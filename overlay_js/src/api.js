// The service's HTTP API, as the overlay uses it. GETs are simple requests (no preflight);
// the browser's cache revalidates the manifest (ETag) and keeps versioned guidance. POSTs
// send text/plain, which keeps them simple requests too, like a beacon.

function createApi(service) {
  const url = (path) => new URL(`api/v1/${path}`, service).href;
  const cache = new Map();
  const enc = encodeURIComponent;

  async function json(response) {
    if (!response.ok) throw new Error(`EPSS: ${response.status} ${response.url}`);
    return response.json();
  }
  const get = (path) => fetch(url(path), { credentials: 'omit' }).then(json);
  const post = (path, body) => fetch(url(path), {
    method: 'POST', credentials: 'omit', keepalive: true,
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: JSON.stringify(body),
  });
  const beacon = (path, body) => navigator.sendBeacon(url(path),
    new Blob([JSON.stringify(body)], { type: 'text/plain;charset=UTF-8' }));

  return {
    manifest: (app) => get(`apps/${enc(app)}/manifest`),
    /** A task as the panel shows it; one request per version. */
    task(slug, version) {
      const key = `${slug}@${version || ''}`;
      if (!version || !cache.has(key)) {
        cache.set(key, get(`tasks/${enc(slug)}/panel${version ? `?version=${version}` : ''}`));
        cache.get(key).catch(() => cache.delete(key));
      }
      return cache.get(key);
    },
    search: (q) => get(`search?limit=5&q=${enc(q)}`),
    resolve: (context) => fetch(url('context/resolve'), {
      method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(context),
    }).then(json),
    /** A batch of events. */
    send: (events) => post('events', { events }),
    beacon: (events) => beacon('events', { events }),
    /** One feedback item (a queue of batches of one). */
    feedback: ([item]) => post('feedback', item),
    /** What became of the feedback this browser sent. */
    statuses: (ids) => get(`feedback/status?ids=${ids.join(',')}`),
  };
}
