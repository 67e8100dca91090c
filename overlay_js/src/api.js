// @ts-check
/* exported createApi */
// The service's HTTP API, as the overlay uses it. GETs are simple requests (no preflight);
// the browser's cache revalidates the manifest (ETag) and keeps versioned guidance. POSTs
// send text/plain, which keeps them simple requests too, like a beacon.

/** @param {string} service the service's URL, ending in / */
function createApi(service) {
  /** @param {string} path */
  const url = (path) => new URL(`api/v1/${path}`, service).href;
  /** @type {Map<string, Promise<PanelTask>>} */
  const cache = new Map();
  const enc = encodeURIComponent;

  /** @param {Response} response
   * @returns {Promise<any>} */
  async function json(response) {
    if (!response.ok) throw new Error(`EPSS: ${response.status} ${response.url}`);
    return response.json();
  }
  /** @param {string} path */
  const get = (path) => fetch(url(path), { credentials: 'omit' }).then(json);
  /** @param {string} path
   * @param {unknown} body */
  const post = (path, body) => fetch(url(path), {
    method: 'POST', credentials: 'omit', keepalive: true,
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: JSON.stringify(body),
  });
  /** @param {string} path
   * @param {unknown} body */
  const beacon = (path, body) => navigator.sendBeacon(url(path),
    new Blob([JSON.stringify(body)], { type: 'text/plain;charset=UTF-8' }));

  return {
    /** @type {(app: string) => Promise<Manifest>} */
    manifest: (app) => get(`apps/${enc(app)}/manifest`),
    /** A task as the panel shows it; one request per version.
     * @param {string} slug
     * @param {number | null} [version] the newest when none
     * @returns {Promise<PanelTask>} */
    task(slug, version) {
      const key = `${slug}@${version || ''}`;
      let task = cache.get(key);
      if (!version || !task) {
        cache.set(key, task = get(`tasks/${enc(slug)}/panel${version ? '?version=' + version : ''}`));
        task.catch(() => cache.delete(key));
      }
      return task;
    },
    /** @type {(q: string) => Promise<{ query: string, results: SearchHit[] }>} */
    search: (q) => get(`search?limit=5&q=${enc(q)}`),
    /** The service's matches for a page no rule of the manifest fits.
     * @type {(context: object) => Promise<{ matches: TaskMatch[] }>} */
    resolve: (context) => fetch(url('context/resolve'), {
      method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(context),
    }).then(json),
    /** A batch of events.
     * @type {(events: Outgoing[]) => Promise<Response>} */
    send: (events) => post('events', { events }),
    /** @type {(events: Outgoing[]) => boolean} */
    beacon: (events) => beacon('events', { events }),
    /** One feedback item (a queue of batches of one).
     * @type {(items: Outgoing[]) => Promise<Response>} */
    feedback: ([item]) => post('feedback', item),
    /** What became of a case (EPSS.outcome).
     * @type {(item: object) => Promise<Response>} */
    outcome: (item) => post('outcomes', item),
    /** What became of the feedback this browser sent.
     * @type {(ids: string[]) => Promise<{ feedback: { id: string, status: string,
     *   changed_in_version: number | null, answer: string }[] }>} */
    statuses: (ids) => get(`feedback/status?ids=${ids.join(',')}`),
  };
}
