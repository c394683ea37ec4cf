/**
 * The few browser globals the tests read inside `page.evaluate` (which runs in the page): the
 * project's tsconfig has Node's types, not the DOM's, so they are declared here as used.
 */
export interface PageGlobals {
  document: { documentElement: { scrollWidth: number }; cookie: string };
  innerWidth: number;
  sessionStorage: { length: number };
  localStorage: { length: number };
  getComputedStyle(element: unknown): { display: string };
}
