/**
 * The web console's response headers, one source for both places that serve it: `serve`
 * (shared/runtime/console-site.ts) and the CloudFront distribution (infra/constructs/console-site.ts).
 * The Content-Security-Policy allows scripts, styles, images and fetches from the console's own
 * origin only (the API is on that origin in both places): no inline script or style, no other host.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};
