// Types for checking the overlay's sources (tsconfig.json beside this file); not part of the
// bundle. The sources are scripts in one program, as epss/overlay/bundle.py joins them into
// one closure: each file sees what the others declare. For ESLint, each file also says what
// it offers the later files (`/* exported … */`) and takes from the earlier ones
// (`/* global … */`); see eslint.config.js.
// The shapes below are what the service sends (epss/api/schemas.py, epss/render.py,
// epss/context/resolver.py) and what the overlay keeps in storage.

/** The style sheets of order.txt, by file name: a constant of each script, made by
 * epss/overlay/bundle.py. */
declare const STYLES: Record<'launcher' | 'panel' | 'highlight', string>;

/** What the first script hands the panel's script: the names its files take (bundle.py). */
declare const CORE: {
  h: typeof h;
  t: typeof t;
  stored: typeof stored;
  store: typeof store;
  throttle: typeof throttle;
  prefersReducedMotion: typeof prefersReducedMotion;
};

/** What the panel's script (/overlay-panel.js) gives the first one. */
interface PanelCode {
  STYLES: Pick<typeof STYLES, 'panel' | 'highlight'>;
  createPanel: typeof createPanel;
  createHighlighter: typeof createHighlighter;
  createFieldHelp: typeof createFieldHelp;
  createPicker: typeof createPicker;
  patternOf: typeof patternOf;
  screenTitleOf: typeof screenTitleOf;
  markerOf: typeof markerOf;
}

/** A field an expert pointed at (pick.js), for a step's target: never what is typed in it. */
interface PickedField {
  selector: string;
  fingerprint: Fingerprint | null;
}

/** What an expert did while recording (pick.js): pressed an element, filled in a field or
 * chose in one; what the element is, never what was typed. */
interface RecordedAction extends PickedField {
  action: 'klikken' | 'invullen' | 'kiezen';
}

interface Window {
  /** Trusted Types, where the browser has them (a host page may enforce them). */
  trustedTypes?: {
    createPolicy(name: string, rules: { createScriptURL(url: string): string }): {
      createScriptURL(url: string): unknown;
    };
  };
  /** The overlay's one global (main.js). */
  EPSS?: Readonly<{
    version: string;
    start(config?: OverlayConfig): void;
    stop(): void;
    open(): void;
    close(): void;
    outcome(kind: string, about?: { task?: string, case?: string }): Promise<boolean>;
    definePanel(factory: (core: typeof CORE) => PanelCode): void;
  }>;
}

/** What EPSS.start() takes, or the script tag's data-epss-* attributes say (config.js). */
interface OverlayConfig {
  service?: string;
  app?: string;
  user?: string;
  team?: string;
  lang?: string;
  shortcut?: string;
  batchSize?: number;
  flushDelay?: number;
  maxQueue?: number;
  watchEvery?: number;
  manifestMaxAge?: number;
}

/** The settings with their defaults (withDefaults, which refuses a config without app). */
type OverlaySettings = OverlayConfig & Required<Omit<OverlayConfig, 'app' | 'user' | 'team'>>;

/** Guidance text: "text", or an element [tag, {attributes}, ...children] (richtext.js). */
type RichNode = string | [string, Record<string, string>, ...RichNode[]];

/** A click on one of the panel's buttons. */
type Click = MouseEvent & { target: HTMLElement };

/** A child of h(): a node or text (null, undefined and false are left out), or an array of
 * them (flattened one level deep). */
type Piece = Node | string | null | undefined | false;
type Child = Piece | Piece[];

/** One rule of a host app's manifest (GET /api/v1/apps/{app}/manifest). */
interface ManifestRule {
  task: string;
  task_title: string;
  version: number | null;
  url: string | null;
  title: string | null;
  markers: string[];
  zaaktype: string | null;
  priority: number;
  start_step: string | null;
}

interface Manifest {
  app: string;
  /** Hours the ticks of a case are kept in the browser (the service's setting). */
  progress_keep_hours: number;
  /** Whether the service keeps what people type as a reason (store_free_text). */
  stores_free_text: boolean;
  /** CSS selectors of the host's buttons that finish a case (set by an administrator). */
  finish_buttons?: string[];
  markers: string[];
  rules: ManifestRule[];
}

/** A compiled URL pattern (match.js). */
interface UrlPattern {
  parts: string[];
  rest: boolean;
  specificity: number;
}

/** What the overlay reads of the host page (context.js). */
interface PageFacts {
  path: string;
  segments: string[];
  title: string;
  markers: Set<string>;
  zaaktype: string | null;
  task: string | null;
  caseRef: string | null;
}

/** A task that fits the page: from the manifest, a data-epss-task hint, or the service. */
interface TaskMatch {
  task: string;
  title?: string;
  version?: number | null;
  start_step?: string | null;
  /** The case on screen, read from the URL where the rule's pattern has `:zaak`. */
  caseRef?: string | null;
}

interface PanelStep {
  id: string;
  /** Changes when the step's content changes (a tick holds it). */
  hash: string;
  title: string;
  mandatory: boolean;
  instruction: RichNode[];
  why: RichNode[];
  warning: RichNode[];
  check: RichNode[];
  estimated_minutes: number | null;
  branches: { if: string; step?: string; task?: string; task_title?: string; version?: number | null }[];
  target: string[];
  target_fingerprint: Fingerprint | null;
  field_tip: string | null;
  field_checks: FieldCheck[];
  sources: { title: string; publisher?: string; section?: string; date?: string; url?: string }[];
  terms: { term: string; definition: string }[];
}

/** A check on what is typed in a step's field (the task file's field_checks). */
interface FieldCheck {
  kind: 'required' | 'pattern' | 'bsn' | 'date';
  pattern?: string | null;
  from_days?: number | null;
  to_days?: number | null;
  message?: string | null;
}

/** What a step's field looked like when it was picked (the task file's target_fingerprint). */
interface Fingerprint {
  tag: string;
  type?: string;
  id?: string;
  name?: string;
  label?: string;
  aria_label?: string;
  role?: string;
  placeholder?: string;
  text?: string;
  heading?: string;
  data?: Record<string, string>;
  position?: number;
}

/** A step's field as locate.js found it: `weak` when it only just looked like its
 * fingerprint, `moved` when none of the step's selectors finds it any more. */
interface Located {
  element: Element;
  score: number;
  weak: boolean;
  moved: boolean;
}

/** A published version as the panel shows it (GET /api/v1/tasks/{slug}/panel). */
interface PanelTask {
  slug: string;
  title: string;
  version: number;
  content_hash: string;
  published_at: string;
  goal: RichNode[];
  deviation_reasons: string[];
  steps: PanelStep[];
}

interface SearchHit {
  task_slug: string;
  task_title: string;
  task_version: number;
  step_id: string | null;
  title: string;
  snippet: string;
  score: number;
}

/** An event or a feedback item, as queue.js keeps it until the service has it. */
type Outgoing = { id: string; [field: string]: unknown };

type FeedbackKind = 'klopt_niet' | 'onduidelijk' | 'suggestie';

/** One item of "Uw meldingen", kept in localStorage (epss:feedback:<app>:<user>), newest
 * first. `status` is absent while it is being sent, 'refused' when the service refused it,
 * else the service's (new, accepted, declined). Earlier versions kept one-letter keys:
 * {id, k: kind, t: task_title, n: step_number, s: status ('x': refused),
 * v: changed_in_version, a: answer}; main.js converts those when it reads them. */
interface SentFeedback {
  id: string;
  kind: FeedbackKind;
  task_title: string;
  step_number: number;
  status?: string;
  changed_in_version?: number | null;
  answer?: string;
}

/** What the panel shows (main.js): a task's version, 'none' (no task fits the page), or
 * nothing yet. The string carries the object's keys, as undefined, for `shown && shown.slug`. */
type Shown = { slug: string; version: number; caseRef: string | null } | ('none' & { slug?: undefined; version?: undefined; caseRef?: undefined }) | null;

/** What the panel asks of the controller (main.js). */
interface PanelController {
  close(): void;
  emit(type: string, fields?: Record<string, unknown>): void;
  openTask(slug: string, version: number | null | undefined, start: string | null | undefined,
    source: 'rule' | 'manual' | 'search'): Promise<void>;
  feedback(step: string, kind: FeedbackKind, comment: string | undefined, title: string, n: number): void;
  search(q: string): Promise<{ query: string; results: SearchHit[] }>;
  highlight(step: PanelStep | null): void;
  saveTicks(task: PanelTask, ticks: Set<string>): void;
  /** Whether the service keeps the reasons people type (its setting store_free_text). */
  keepsReasons(): boolean;
  fullText(task: PanelTask): string;
}

/** Where the panel sits, how wide, and whether it is folded to a strip (panel.js). */
interface PanelLayout {
  side: 'left' | 'right';
  width: number;
  slim: boolean;
}

/** The ticks of one task for one case or visit, as kept in the browser (progress.js): when
 * last changed, and per ticked step the hash of the content it was ticked on. */
/** The warning after a finish button was pressed with mandatory steps unticked, kept in the
 * tab until closed (a press that loads another page shows it there). No case in it. */
interface FinishWarning {
  at: number;
  title: string;
  left: { n: number; title: string }[];
}

interface KeptTicks {
  at: number;
  ticks: Record<string, string>;
  /** A visit (no case hint) whose every step was ticked; its ticks are gone. */
  finished?: boolean;
}

/** What the panel shows with a task besides its steps (panel.js showTask). */
interface TaskState {
  start: string | null | undefined;
  others: TaskMatch[];
  done: Set<string>;
  /** Steps ticked on an earlier content: "gewijzigd sinds u deze stap afvinkte". */
  changed: Set<string>;
  /** Steps new or changed since this person last opened the task. */
  news: { n: number; title: string }[];
  /** This person has not opened the task before: its goal is shown unfolded. */
  firstTime: boolean;
}
