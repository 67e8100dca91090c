// @ts-check
/* global stored, store */
/* exported QUEUE_KEY, createQueue */
// Events (and feedback) without loss: kept in localStorage (so they survive a reload or a
// closed tab) until the service acknowledged them; sent in batches, retried with backoff,
// beaconed when the page is hidden. The service stores each id once, so resending is safe.
// `settled(items, status)` hears which items the service took (2xx) or refused for good.

const QUEUE_KEY = 'epss:events';

/** @template {{ id: string }} T
 * @param {string} key where the queue is kept in localStorage
 * @param {(batch: T[]) => Promise<Response>} send
 * @param {((batch: T[]) => boolean) | null} beacon
 * @param {{ batchSize: number, flushDelay: number, maxQueue: number }} settings
 * @param {(items: T[], status: number) => void} settled */
function createQueue(key, send, beacon, { batchSize, flushDelay, maxQueue }, settled) {
  let timer = 0;
  let sending = false;
  let failures = 0;
  /** @returns {T[]} */
  const load = () => stored('localStorage', key, []);
  /** @param {T[]} events */
  const save = (events) => store('localStorage', key, events.length ? events : null);
  /** @param {number} ms */
  const schedule = (ms) => { if (!timer) timer = setTimeout(flush, ms); };

  async function flush() {
    timer = 0;
    const batch = load().slice(0, batchSize);
    if (sending || !batch.length) return;
    sending = true;
    /** @type {Response | null} */
    let response = null;
    try { response = await send(batch); } catch { /* the service is down */ }
    const status = response ? response.status : 0;
    // Acknowledged, or refused for good (a 4xx other than 408/429 would come back the
    // same each time): done with. A 422 names the bad events; the others are sent again.
    let done = batch;
    if (status === 422) {
      /** @type {{ field: string }[]} */
      const problems = await response.json().then((b) => b.problems || [], /** @returns {[]} */ () => []);
      /** @type {Set<string | undefined>} the events' indexes; undefined: not an event's */
      const bad = new Set(problems.map((p) => (/^events\[(\d+)\]/.exec(p.field) || [])[1]));
      if (bad.size && !bad.has(undefined)) done = batch.filter((e, i) => bad.has(String(i)));
    }
    sending = false;
    if (status >= 200 && status < 500 && status !== 408 && status !== 429) {
      const sent = new Set(done.map((e) => e.id));
      const left = load().filter((e) => !sent.has(e.id));
      save(left);
      failures = 0;
      settled(done, status);
      if (left.length) schedule(0);
    } else {
      failures += 1;
      schedule(Math.min(60000, 500 * 2 ** failures) * (0.5 + Math.random() / 2));
    }
  }

  function hidden() {
    if (document.visibilityState !== 'hidden') return;
    const batch = load().slice(0, batchSize);
    if (batch.length) beacon(batch); // acknowledged only by a later flush: kept till then
  }

  const online = () => { clearTimeout(timer); timer = 0; schedule(0); };
  if (beacon) { // a queue without one waits for the next page to send what is left
    addEventListener('visibilitychange', hidden);
    addEventListener('pagehide', hidden);
  }
  addEventListener('online', online);
  // What an earlier page left: sent once the page has settled (reading storage the
  // first time is a slow synchronous call, not for a page that is still loading).
  setTimeout(() => schedule(0), 3000);

  return {
    /** @param {T} event */
    add(event) {
      const events = load();
      events.push(event);
      save(events.slice(-maxQueue));
      schedule(events.length >= batchSize ? 0 : flushDelay);
    },
    stop() {
      clearTimeout(timer);
      removeEventListener('visibilitychange', hidden);
      removeEventListener('pagehide', hidden);
      removeEventListener('online', online);
    },
  };
}
