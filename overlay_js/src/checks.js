// @ts-check
/* exported fieldProblem, elevenTest, readDate */
// Checks on what is typed in a step's field (the task file's field_checks). Pure functions:
// they run in the desk's browser, and in the editor's preview; what is typed stays there.

/** The eleven-test of a burgerservicenummer: nine digits d1..d9 with
 * 9·d1 + 8·d2 + … + 2·d8 − d9 a multiple of 11 (and not all zeros).
 * @param {string} value */
function elevenTest(value) {
  const digits = value.replace(/[\s.]/g, '');
  if (!/^[0-9]{9}$/.test(digits) || /^0+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(digits[i]);
  return (sum - Number(digits[8])) % 11 === 0;
}

/** A day as typed at a Dutch desk (dd-mm-jjjj, also with / or . and one-digit parts) or as a
 * date input gives it (jjjj-mm-dd): its days since 1970 (UTC, so no daylight saving), or null.
 * @param {string} value */
function readDate(value) {
  const text = value.trim();
  const dutch = /^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})$/.exec(text);
  const iso = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  const [d, m, y] = dutch ? [dutch[1], dutch[2], dutch[3]] : iso ? [iso[3], iso[2], iso[1]] : [];
  if (!y) return null;
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  // Date.UTC rolls 31-02 over into March: such a day does not exist.
  if (day.getUTCDate() !== Number(d) || day.getUTCMonth() !== Number(m) - 1) return null;
  return day.getTime() / 864e5;
}

/** @param {number} days since 1970 */
const shownDay = (days) => new Date(days * 864e5).toISOString().slice(0, 10).split('-').reverse().join('-');

/** What is wrong with `value` for `check`, as a Dutch text and its parameters (translate both
 * with t), or the author's own message (`own`: shown as written); null when it is fine.
 * Only `required` minds an empty field: the others wait until something is typed.
 * @param {FieldCheck} check
 * @param {string} value
 * @param {Date} [now]
 * @returns {{ text: string, params?: Record<string, string | number>, own?: boolean } | null} */
function fieldProblem(check, value, now = new Date()) {
  const typed = value.trim();
  const problem = (/** @type {string} */ text, /** @type {Record<string, string | number>} */ params) => (
    check.message ? { text: check.message, own: true } : { text, params });
  if (!typed) return check.kind === 'required' ? problem('Dit veld is nog leeg.', {}) : null;
  if (check.kind === 'bsn' && !elevenTest(typed)) {
    return problem('Dit is geen geldig BSN: het heeft 9 cijfers en moet de elfproef doorstaan.', {});
  }
  if (check.kind === 'pattern') {
    /** @type {RegExp} */
    let pattern;
    try { pattern = new RegExp(`^(?:${check.pattern})$`); } catch { return null; } // checked when saved
    if (!pattern.test(typed)) return problem('Dit heeft niet de verwachte vorm.', {});
  }
  if (check.kind === 'date') {
    const day = readDate(typed);
    // No own message here: an unreadable date needs saying as it is.
    if (day === null) return { text: 'Dit is geen datum; schrijf dd-mm-jjjj.' };
    const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / 864e5;
    const from = check.from_days == null ? -Infinity : today + check.from_days;
    const to = check.to_days == null ? Infinity : today + check.to_days;
    if (day < from || day > to) {
      if (to === Infinity) return problem('Verwacht is een datum vanaf {from}.', { from: shownDay(from) });
      if (from === -Infinity) return problem('Verwacht is een datum tot en met {to}.', { to: shownDay(to) });
      return problem('Verwacht is een datum van {from} tot en met {to}.', { from: shownDay(from), to: shownDay(to) });
    }
  }
  return null;
}
