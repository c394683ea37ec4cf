/**
 * Platform outages: a whole simulated platform (cluster discovery, every cluster's Kubernetes API,
 * the upload endpoint) unreachable for a window, then back by itself on the same port with its
 * state intact. Windows are real time, not simulated time: an outage exercises the upgrader's own
 * timing (retries, backoff, stage deadlines), which `--speed` does not scale.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '#domain/errors.ts';
import type { Availability, PlatformServer } from '#sim/api/platform-server.ts';

/** `mixed`: connections refused for the first half of the window, 503 for the second half. */
export const OUTAGE_MODES = ['503', 'refuse', 'mixed'] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];
export const DEFAULT_OUTAGE_MODE: OutageMode = '503';
export const MAX_OUTAGE_SECONDS = 86_400;

export const outageRequestSchema = z.strictObject({
  platform: z.string().min(1),
  seconds: z.number().positive().max(MAX_OUTAGE_SECONDS),
  mode: z.enum(OUTAGE_MODES).default(DEFAULT_OUTAGE_MODE),
});
export type OutageRequest = z.input<typeof outageRequestSchema>;

export interface Outage {
  platform: string;
  mode: OutageMode;
  /** What the platform does at the moment this was read. */
  state: Exclude<Availability, 'up'>;
  startedAt: string;
  endsAt: string;
}

export interface StartedOutage extends Outage {
  /** Resolves when the platform serves again (or the fleet stopped). */
  ended: Promise<void>;
}

interface Phase {
  state: Exclude<Availability, 'up'>;
  ms: number;
}

function phasesOf(mode: OutageMode, ms: number): Phase[] {
  if (mode === 'mixed') {
    return [
      { state: 'refuse', ms: ms / 2 },
      { state: '503', ms: ms / 2 },
    ];
  }
  return [{ state: mode, ms }];
}

export function parseOutageRequest(input: unknown): z.output<typeof outageRequestSchema> {
  const parsed = outageRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new ValidationError(`outage ${where}: ${issue?.message ?? 'invalid'}`);
}

interface Active {
  outage: Outage;
  abort: AbortController;
}

/** The outages of one fleet's platforms: at most one at a time per platform. */
export class PlatformOutages {
  readonly #servers: ReadonlyMap<string, PlatformServer>;
  readonly #onError: (message: string) => void;
  readonly #active = new Map<string, Active>();
  readonly #scheduled = new Set<NodeJS.Timeout>();
  #stopped = false;

  /** `onError` hears what goes wrong after start returned (a platform that cannot listen again). */
  constructor(servers: ReadonlyMap<string, PlatformServer>, onError: (message: string) => void) {
    this.#servers = servers;
    this.#onError = onError;
  }

  /** Takes the platform down; resolves once it is down (not listening, for `refuse`). */
  async start(input: OutageRequest): Promise<StartedOutage> {
    const { platform, seconds, mode } = parseOutageRequest(input);
    if (this.#stopped) throw new ConflictError('the fleet is stopped');
    const server = this.#servers.get(platform);
    if (!server) {
      throw new NotFoundError(
        `the fleet has no platform ${platform}; it has ${[...this.#servers.keys()].join(', ')}`,
      );
    }
    const busy = this.#active.get(platform);
    if (busy) {
      throw new ConflictError(`platform ${platform} is already out until ${busy.outage.endsAt}`, {
        code: 'OUTAGE_IN_PROGRESS',
      });
    }
    const phases = phasesOf(mode, seconds * 1000);
    const startedAt = Date.now();
    const outage: Outage = {
      platform,
      mode,
      state: (phases[0] as Phase).state,
      startedAt: new Date(startedAt).toISOString(),
      endsAt: new Date(startedAt + seconds * 1000).toISOString(),
    };
    const active: Active = { outage, abort: new AbortController() };
    this.#active.set(platform, active);
    try {
      await server.setAvailability(outage.state);
    } catch (error) {
      this.#active.delete(platform);
      throw error;
    }
    const ended = this.#run(server, active, phases, startedAt).finally(() => this.#active.delete(platform));
    return { ...outage, ended };
  }

  /** Starts an outage `afterMs` from now; a start that fails is reported through `onError`. */
  schedule(afterMs: number, input: OutageRequest): void {
    const timer = setTimeout(() => {
      this.#scheduled.delete(timer);
      this.start(input).catch((error: unknown) =>
        this.#onError(`scheduled outage of ${input.platform} not started: ${(error as Error).message}`),
      );
    }, afterMs);
    this.#scheduled.add(timer);
  }

  /** The outages in progress, as of now. */
  list(): Outage[] {
    return [...this.#active.values()].map((a) => ({ ...a.outage }));
  }

  /** Cancels scheduled outages and ends the running ones without bringing their platforms back. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#scheduled) clearTimeout(timer);
    this.#scheduled.clear();
    for (const active of this.#active.values()) active.abort.abort();
  }

  async #run(server: PlatformServer, active: Active, phases: Phase[], startedAt: number): Promise<void> {
    const { signal } = active.abort;
    let until = startedAt;
    try {
      for (const [index, phase] of phases.entries()) {
        if (index > 0) {
          active.outage.state = phase.state;
          await server.setAvailability(phase.state);
        }
        until += phase.ms;
        await sleep(Math.max(0, until - Date.now()), undefined, { signal });
      }
      await server.setAvailability('up');
    } catch (error) {
      if (signal.aborted) return;
      this.#onError(`platform ${active.outage.platform} did not come back: ${(error as Error).message}`);
    }
  }
}
