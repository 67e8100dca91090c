// @ts-check
/* exported pathSegments, matchTasks */
// Which tasks a page matches, by the host app's rules (the manifest). Mirrors
// epss/context/rules.py and patterns.py; tests/data/matching.json is the reference of both.

/** @param {string} path */
function pathSegments(path) {
  return path.split('/').filter(Boolean).map((s) => {
    try { return decodeURIComponent(s); } catch { return s; }
  });
}

/** @param {string} s */
const isWildcard = (s) => s === '*' || s[0] === ':';

/** @param {string} source
 * @returns {UrlPattern} */
function compilePattern(source) {
  const parts = pathSegments(source);
  const rest = parts[parts.length - 1] === '**';
  if (rest) parts.pop();
  return { parts, rest, specificity: parts.reduce((n, s) => n + (isWildcard(s) ? 1 : 2), 0) };
}

/** @param {UrlPattern} pattern
 * @param {string[]} segments */
function patternMatches(pattern, segments) {
  if (segments.length < pattern.parts.length) return false;
  if (segments.length > pattern.parts.length && !pattern.rest) return false;
  return pattern.parts.every((want, i) => isWildcard(want) || want === segments[i]);
}

/** @param {ManifestRule} rule
 * @param {UrlPattern | null} pattern
 * @param {PageFacts} page */
function ruleMatches(rule, pattern, page) {
  if (pattern && !patternMatches(pattern, page.segments)) return false;
  if (rule.title && !page.title.toLowerCase().includes(rule.title.toLowerCase())) return false;
  if (!rule.markers.every((m) => page.markers.has(m))) return false;
  return !rule.zaaktype || rule.zaaktype === page.zaaktype;
}

/** The matching tasks, best first, one per task: [{task, version, start_step, caseRef}].
 * Ranked by priority, then specificity, then the manifest's order. A rule whose URL pattern
 * has the segment `:zaak` reads the case on screen from there ('/zaken/:zaak/**').
 * @param {Manifest} manifest
 * @param {PageFacts} page
 * @returns {TaskMatch[]} */
function matchTasks(manifest, page) {
  /** @type {{ rule: ManifestRule, order: number, specificity: number, caseRef: string | null }[]} */
  const found = [];
  manifest.rules.forEach((rule, order) => {
    const pattern = rule.url ? compilePattern(rule.url) : null;
    if (!ruleMatches(rule, pattern, page)) return;
    const specificity = (pattern ? pattern.specificity : 0) + (rule.title ? 3 : 0)
      + 3 * rule.markers.length + (rule.zaaktype ? 5 : 0);
    const at = pattern ? pattern.parts.indexOf(':zaak') : -1;
    found.push({ rule, order, specificity, caseRef: at < 0 ? null : page.segments[at] });
  });
  found.sort((a, b) => b.rule.priority - a.rule.priority || b.specificity - a.specificity
    || a.order - b.order);
  const seen = new Set();
  return found.filter(({ rule }) => !seen.has(rule.task) && seen.add(rule.task))
    .map(({ rule, caseRef }) => ({ task: rule.task, version: rule.version, start_step: rule.start_step, caseRef }));
}
