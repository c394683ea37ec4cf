/**
 * The few browser globals the tests read inside `page.evaluate` (which runs in the page): the
 * project's tsconfig has Node's types, not the DOM's, so they are declared here as used.
 */
export interface PageGlobals {
  document: {
    documentElement: { scrollWidth: number };
    cookie: string;
    body: unknown;
    querySelector(selector: string): unknown;
    dispatchEvent(event: unknown): boolean;
  };
  innerWidth: number;
  sessionStorage: { length: number };
  localStorage: { length: number };
  getComputedStyle(element: unknown): { display: string };
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: unknown, options: { childList: boolean; subtree: boolean }): void };
  Event: new (type: string) => unknown;
  /** Counted by a test's observer: how often the selector it watches left the page. */
  gone?: number;
}
