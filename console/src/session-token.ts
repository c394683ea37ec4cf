/**
 * The API token, kept in sessionStorage only: it survives a reload of the tab but not the tab,
 * and is never written to localStorage, a cookie or the URL.
 */
const KEY = 'redis-upgrader.api-token';

export function readToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
