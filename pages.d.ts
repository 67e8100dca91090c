// For tsc (tsconfig.json): what the scripts of the service's pages (epss/static/*.js) use
// from their vendored libraries (epss/static/vendor) and from htmx's events. Only the parts
// they use; nothing here is served.

/** htmx 2 (vendor/htmx-2.0.11.min.js), on every page. */
declare const htmx: {
  ajax(verb: string, path: string, context: { target: Element; swap: string }): Promise<void>;
  trigger(elt: Element, name: string, detail?: object): void;
};

interface Window {
  /** Chart.js 4 (vendor/chart-4.6.1.umd.min.js), on the quality pages only. */
  Chart?: new (canvas: HTMLCanvasElement, config: object) => EpssChart;
}

interface EpssChart {
  destroy(): void;
}

interface HTMLCanvasElement {
  /** The chart quality.js drew on it, destroyed before htmx swaps the canvas out. */
  epssChart?: EpssChart;
}

/** The request htmx is making: `verb` in lower case; `elt`, the element that made it. */
interface HtmxRequestConfig {
  verb: string;
  elt: Element;
}

interface DocumentEventMap {
  'htmx:beforeSwap': CustomEvent<{
    xhr: XMLHttpRequest;
    target: Element;
    requestConfig?: HtmxRequestConfig;
    pathInfo?: { requestPath: string };
    shouldSwap: boolean;
    isError: boolean;
  }>;
  'htmx:afterSettle': CustomEvent<{ elt: Element; target: Element; xhr: XMLHttpRequest }>;
  'htmx:oobAfterSwap': CustomEvent<{ target: Element }>;
  'htmx:confirm': CustomEvent<{ elt: Element; issueRequest(skipConfirmation?: boolean): void }>;
  /** Sent by the editor's answers in an HX-Trigger header: the text to announce. */
  'epss-announce': CustomEvent<{ value?: string }>;
  /** Sent with a refusal that is no fragment of the page (epss/web/http_errors.py): why. */
  'epss-refused': CustomEvent<{ value?: string }>;
  'htmx:afterRequest': CustomEvent<{ elt: Element; xhr: XMLHttpRequest; successful: boolean; failed: boolean }>;
}

/** A check at a step's field (the task file's field_checks), as the editor's step form
 * describes it; overlay_js/overlay.d.ts declares the same shape for the overlay. */
interface FieldCheck {
  kind: 'required' | 'pattern' | 'bsn' | 'date';
  pattern?: string | null;
  from_days?: number | null;
  to_days?: number | null;
  message?: string | null;
}

/** What fieldProblem found: a Dutch text with its parameters, or the author's own message. */
interface FieldProblem {
  text: string;
  params?: Record<string, string | number>;
  own?: boolean;
}

interface Window {
  /** The desk's checks (overlay_js/src/checks.js), on the editor pages once editor.js loaded
   * /redactie/veldcontroles.js for a step form's preview. */
  epssFieldChecks?: { fieldProblem(check: FieldCheck, value: string, now?: Date): FieldProblem | null };
}
