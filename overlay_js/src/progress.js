// @ts-check
/* global stored, store */
/* exported createProgress */
// Which steps a person ticked, kept only in this browser, per host app, case and task: with
// a case hint (data-epss-case) for at most the hours the service says, and never carried to
// another case; without one for this visit only (this tab and page), forgotten once every
// step is done. A tick holds the hash of the step it was given to: a step that changed
// since is no longer done, and the panel says so. Per person, the steps as they were when
// the task was last opened, to say once what changed since.

/** A short hash, so case numbers are not spelled out in the browser's storage keys.
 * @param {string} text */
function fnv(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x1000193);
  return (hash >>> 0).toString(36);
}

/** @param {string} app
 * @param {string | undefined} user
 * @param {() => number} keepHours */
function createProgress(app, user, keepHours) {
  const prefix = `epss:progress:${app}:`;
  /** @param {string | null} caseRef @param {string} slug */
  const key = (caseRef, slug) => `${prefix}${caseRef ? 'case:' + fnv(caseRef) : 'visit:' + location.pathname}:${slug}`;
  /** @param {string | null} caseRef */
  const area = (caseRef) => (caseRef ? 'localStorage' : 'sessionStorage');
  const expired = (/** @type {KeptTicks | null} */ kept) => !kept || Date.now() - kept.at > keepHours() * 3600e3;

  // Ticks of cases older than the service allows are removed at start, not only when read.
  try {
    for (let i = localStorage.length; i--;) {
      const name = localStorage.key(i);
      if (name && name.startsWith(`${prefix}case:`) && expired(stored('localStorage', name, null))) localStorage.removeItem(name);
    }
  } catch { /* storage forbidden: nothing kept */ }

  return {
    /** The steps ticked for this case: `done` on the step as it is now, `changed` on an
     * earlier content of it.
     * @param {string | null} caseRef
     * @param {PanelTask} task */
    read(caseRef, task) {
      /** @type {KeptTicks | null} */
      const kept = stored(area(caseRef), key(caseRef, task.slug), null);
      const done = new Set(), changed = new Set();
      if (expired(kept)) return { done, changed, finished: false };
      const hashes = new Map(task.steps.map((s) => [s.id, s.hash]));
      Object.entries(kept.ticks).forEach(([id, hash]) => {
        if (hashes.has(id)) (hashes.get(id) === hash ? done : changed).add(id);
      });
      return { done, changed, finished: !!kept.finished };
    },

    /** @param {string | null} caseRef
     * @param {PanelTask} task
     * @param {Set<string>} ticks */
    save(caseRef, task, ticks) {
      const finished = task.steps.every((s) => ticks.has(s.id));
      // A visit's ticks go once every step is done (the next citizen starts afresh); that
      // it was finished stays, so a finish button does not warn.
      const forget = !caseRef && finished;
      store(area(caseRef), key(caseRef, task.slug), ticks.size ? {
        at: Date.now(),
        ticks: forget ? {} : Object.fromEntries(task.steps.filter((s) => ticks.has(s.id)).map((s) => [s.id, s.hash])),
        ...(forget && { finished: true }),
      } : null);
    },

    /** Whether this person opens the task for the first time, and the steps (number and
     * title) new or changed since they last opened it: none the first time, each change
     * told once.
     * @param {PanelTask} task
     * @returns {{ firstTime: boolean, news: { n: number, title: string }[] }} */
    seen(task) {
      const seenKey = `epss:seen:${app}:${user || ''}:${task.slug}`;
      /** @type {{ version: number, hashes: Record<string, string> } | null} */
      const seen = stored('localStorage', seenKey, null);
      store('localStorage', seenKey, { version: task.version, hashes: Object.fromEntries(task.steps.map((s) => [s.id, s.hash])) });
      if (!seen || seen.version >= task.version) return { firstTime: !seen, news: [] };
      const news = task.steps.flatMap((s, i) => (seen.hashes[s.id] === s.hash ? [] : [{ n: i + 1, title: s.title }]));
      return { firstTime: false, news };
    },
  };
}
