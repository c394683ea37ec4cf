/**
 * The other side of the control API, for a chaos run or a test in another process: the control
 * file `redis-upgrader sim` writes next to its kubeconfig (the control URL and bearer token), and
 * a small client for its routes.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { ConfigError } from '#domain/errors.ts';
import type { TrafficView } from '#sim/api/traffic.ts';
import type { LedgerView } from '#sim/ledger.ts';
import type { Outage, OutageRequest } from '#sim/outages.ts';
import { CONTROL_PREFIX } from './control-server.ts';

export const CONTROL_FILE_NAME = 'sim-control.json';

const controlFileSchema = z.object({ url: z.url(), token: z.string().min(1) });
export type ControlFile = z.infer<typeof controlFileSchema>;

export function controlFileNextTo(kubeconfig: string): string {
  return join(dirname(kubeconfig), CONTROL_FILE_NAME);
}

/** Written whole (a reader never sees half a file) and readable by its owner only: it holds the token. */
export async function writeControlFile(path: string, control: ControlFile): Promise<void> {
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(control)}\n`, { mode: 0o600 });
  await rename(partial, path);
}

export async function removeControlFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

export async function readControlFile(path: string): Promise<ControlFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read the simulator control file ${path}: ${(error as NodeJS.ErrnoException).code}`,
      {
        cause: error,
      },
    );
  }
  let parsed: ReturnType<typeof controlFileSchema.safeParse> | undefined;
  try {
    parsed = controlFileSchema.safeParse(JSON.parse(text));
  } catch {
    // not JSON: reported below like any other malformed control file
  }
  if (!parsed?.success) throw new ConfigError(`${path} is not a simulator control file (want {url, token})`);
  return parsed.data;
}

export class SimControlClient {
  readonly #control: ControlFile;

  constructor(control: ControlFile) {
    this.#control = control;
  }

  /** Takes a platform down; resolves once it is down. */
  outage(request: OutageRequest): Promise<Outage> {
    return this.#call('POST', '/outages', request);
  }

  async outages(): Promise<Outage[]> {
    return (await this.#call<{ outages: Outage[] }>('GET', '/outages')).outages;
  }

  ledger(): Promise<LedgerView> {
    return this.#call('GET', '/ledger');
  }

  traffic(): Promise<TrafficView> {
    return this.#call('GET', '/traffic');
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.#control.url}${CONTROL_PREFIX}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.#control.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as T & { error?: { code: string; message: string } };
    if (!response.ok) {
      throw new Error(
        `sim control ${method} ${path}: ${response.status} ${answer.error?.code}: ${answer.error?.message}`,
      );
    }
    return answer;
  }
}
