/**
 * Where the CLI's API is and the token it sends: the flags or the current variables, else the
 * deprecated ones (with one warning line), else the default URL; checked before any request.
 */
import { ConfigError } from '#domain/errors.ts';
import { BEARER_TOKEN } from '#shared/http/bearer-token.ts';

/**
 * The client's settings. The server's are REDIS_UPGRADER_<SETTING> (shared/config.ts), its token
 * REDIS_UPGRADER_API_TOKEN; the client's name what only a client has (a URL to call) or say
 * CLIENT, so neither side's variable reads as the other's.
 */
export const URL_ENV = 'REDIS_UPGRADER_URL';
export const TOKEN_ENV = 'REDIS_UPGRADER_CLIENT_TOKEN';
/** Earlier names, still read (after the new ones) with a deprecation line. */
const LEGACY_URL_ENV = 'REDIS_UPGRADER_API';
const LEGACY_TOKEN_ENVS = ['REDIS_UPGRADER_TOKEN', 'REDIS_UPGRADER_API_TOKEN'] as const;
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export interface ApiTarget {
  baseUrl: string;
  token: string;
}

/** A setting the command line or the environment gave, and where it came from (`--api`, `$NAME`). */
export interface Given {
  value: string;
  source: string;
}

type Env = Record<string, string | undefined>;

function fromEnv(env: Env, names: readonly string[]): Given | undefined {
  const name = names.find((candidate) => env[candidate]);
  return name ? { value: env[name] as string, source: `$${name}` } : undefined;
}

/**
 * The API to call and the token: the flags or the current variables (`given`), else the
 * deprecated variables (one warning line names those read), else the default URL. A missing or
 * malformed token is a usage problem (exit 2), caught before any request.
 */
export function resolveApiTarget(
  given: { url?: Given | undefined; token?: Given | undefined },
  env: Env,
  warn: (line: string) => void,
  /** False for a public route (the release webhook, authenticated by its signature): no token is fine. */
  requireToken = true,
): ApiTarget {
  const legacyUrl = given.url ? undefined : fromEnv(env, [LEGACY_URL_ENV]);
  const legacyToken = given.token ? undefined : fromEnv(env, LEGACY_TOKEN_ENVS);
  const legacy = [legacyUrl, legacyToken].filter((read) => read !== undefined).map((read) => read.source);
  if (legacy.length > 0) {
    warn(
      `warning: ${legacy.join(' and ')} ${legacy.length > 1 ? 'are' : 'is'} deprecated for the CLI: set $${URL_ENV} (the API URL) and $${TOKEN_ENV} (its token) instead`,
    );
  }
  const typed = (given.url ?? legacyUrl)?.value ?? DEFAULT_API_URL;
  // Paths are appended with their leading slash: `--api http://host/` must not send `//upgrades`.
  const baseUrl = typed.replace(/\/+$/, '');
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    throw new ConfigError(`API URL ${JSON.stringify(typed)} is not an http(s) URL (--api or $${URL_ENV})`);
  }
  const url = new URL(baseUrl);
  if (url.username || url.password) {
    throw new ConfigError(
      `the API URL (--api or $${URL_ENV}) must not carry credentials: pass the token with --token or $${TOKEN_ENV}`,
    );
  }
  const token = given.token ?? legacyToken;
  if (!token && !requireToken) return { baseUrl, token: '' };
  if (!token) {
    throw new ConfigError(
      `no API token: pass --token or set $${TOKEN_ENV} (the token \`redis-upgrader serve\` printed)`,
    );
  }
  // Never echo the value: a near-miss is still most of a secret.
  if (!BEARER_TOKEN.test(token.value)) {
    throw new ConfigError(
      `the API token in ${token.source} is not a valid bearer token (only letters, digits and -._~+/, then = padding; no spaces or line breaks): set it again, the value is not shown`,
    );
  }
  return { baseUrl, token: token.value };
}
