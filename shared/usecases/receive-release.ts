/**
 * The inbound release webhook (DESIGN.md 4.7): verified with the `standardwebhooks` package
 * against the configured secrets (two during a rotation; the library's 5-minute timestamp
 * tolerance), a `webhook-id` seen within the replay window refused, then the catalog changed as a
 * whole with a conditional replace, so two releases at once cannot lose each other. Anything
 * refused changes nothing. Then the rollouts (#usecases/release-rollouts.ts): a registered
 * version starts the batches of the rollout policies that admit it, a withdrawn one pauses the
 * batches that target it. The webhook-id is remembered last, so a sender's retry after a failure
 * half way does the rest (the catalog change and the policies' batches are idempotent).
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { CatalogError, ConflictError, UnauthorizedError, ValidationError } from '#domain/errors.ts';
import { applyRelease, type ReleaseAction, releaseBodySchema } from '#domain/webhooks/release.ts';
import type { Clock } from '#shared/ports.ts';
import type { CatalogStore, ReleaseLog } from '#shared/webhook-ports.ts';
import {
  haltWithdrawnRollouts,
  type PolicyRollout,
  type ReleaseRolloutDeps,
  startPolicyRollouts,
  type WithdrawnRollout,
} from '#usecases/release-rollouts.ts';

/** A replayed webhook-id is refused for this long (the sender's retries span less). */
export const REPLAY_WINDOW_SECONDS = 24 * 3600;

export interface ReceiveReleaseDeps {
  /** The whsec_ secrets that may sign a release; none configured refuses every release. */
  releaseSecrets: () => Promise<readonly string[]>;
  catalogStore: CatalogStore;
  releaseLog: ReleaseLog;
  clock: Clock;
  /**
   * How long until every consumer reads a catalog the release changed (AWS: the functions' catalog
   * TTL; locally 0, all read the file's holder). A policy's batch first wakes after it, or its jobs
   * could meet a consumer that does not know the version yet.
   */
  catalogPropagationSeconds?: number;
  /** What a release starts by itself (none by default). */
  policies?: ReleaseRolloutDeps['policies'];
  /** What starting or pausing batches takes; absent: a release changes the catalog only. */
  rollouts?: Omit<ReleaseRolloutDeps, 'policies'>;
}

export interface ReleaseOutcome {
  action: ReleaseAction;
  version: string;
  /** How many versions the catalog lists now. */
  versions: number;
  /** A registered version: the batches its matching policies started (or why one did not). */
  rollouts?: PolicyRollout[];
  /** A withdrawn version: the batches targeting it, paused, and their jobs stopped or finishing. */
  paused?: WithdrawnRollout[];
}

function verified(secrets: readonly string[], body: string, headers: Record<string, string>): unknown {
  if (secrets.length === 0) {
    throw new UnauthorizedError('the release webhook has no secret configured: every release is refused');
  }
  let reason = 'no signature';
  for (const secret of secrets) {
    try {
      return new Webhook(secret).verify(body, headers);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw new ValidationError('the body is not JSON');
      reason = error.message;
    }
  }
  throw new UnauthorizedError(`release refused: ${reason}`);
}

export async function receiveRelease(
  deps: ReceiveReleaseDeps,
  request: { body: string; headers: Record<string, string> },
): Promise<ReleaseOutcome> {
  const payload = verified(await deps.releaseSecrets(), request.body, request.headers);
  const webhookId = request.headers['webhook-id'] ?? '';
  if (await deps.releaseLog.seen(webhookId)) {
    throw new ConflictError(`release ${webhookId} was received before; a replay changes nothing`, {
      code: 'REPLAYED',
    });
  }
  const parsed = releaseBodySchema.safeParse(payload);
  if (!parsed.success) {
    throw new ValidationError(`release body: ${parsed.error.issues[0]?.message}`, {
      details: {
        issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      },
    });
  }
  const { catalog, token } = await deps.catalogStore.read();
  let changed: ReturnType<typeof applyRelease>;
  try {
    changed = applyRelease(catalog, parsed.data);
  } catch (error) {
    // Our catalog is fine; the release would break it: the caller's fault, said in the catalog's words.
    if (error instanceof CatalogError) {
      throw new ValidationError(error.message, {
        code: 'INVALID_CATALOG',
        ...(error.details ? { details: error.details } : {}),
      });
    }
    throw error;
  }
  await deps.catalogStore.replace(changed.catalog, token);
  const release = parsed.data;
  const version = release.version;
  const rollouts = deps.rollouts && { ...deps.rollouts, policies: deps.policies ?? [] };
  const effects =
    rollouts === undefined
      ? {}
      : 'csv' in release
        ? {
            rollouts: await startPolicyRollouts(rollouts, {
              catalog: changed.catalog,
              version,
              startDelaySeconds: deps.catalogPropagationSeconds ?? 0,
            }),
          }
        : { paused: await haltWithdrawnRollouts(rollouts, { version, reason: release.blocked }) };
  const now = deps.clock.now().getTime();
  await deps.releaseLog.remember(webhookId, new Date(now + REPLAY_WINDOW_SECONDS * 1000));
  return { action: changed.action, version, versions: changed.catalog.versions.length, ...effects };
}
