/**
 * `redis-upgrader release --file entry.json`: signs a release (a catalog entry, or
 * `{ version, blocked }` to withdraw one) with the release webhook's secret and sends it to
 * `POST /webhooks/releases`, for operators without a CI integration. Signed with the
 * `standardwebhooks` package as a release pipeline would; the secret comes from
 * $REDIS_UPGRADER_CLIENT_RELEASE_SECRET (or --secret, which shows in ps) and is never printed,
 * not even in an error. The route is authenticated by the signature: no API token is needed.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { Webhook } from 'standardwebhooks';
import type * as z from 'zod';
import { type ApiFlags, apiClientFor, withApiFlags } from '#cli/api-flags.ts';
import { printJson, printLines } from '#cli/output.ts';
import { sendRelease } from '#cli/webhook-api.ts';
import { ConfigError, UnauthorizedError, ValidationError } from '#domain/errors.ts';
import { whsecSchema } from '#domain/webhooks/endpoint.ts';
import { releaseBodySchema } from '#domain/webhooks/release.ts';
import type { releaseOutcomeSchema } from '#shared/http/webhook-schemas.ts';

export const RELEASE_SECRET_ENV = 'REDIS_UPGRADER_CLIENT_RELEASE_SECRET';

interface ReleaseFlags extends ApiFlags {
  file: string;
  secret?: string;
  id?: string;
}

type Outcome = z.output<typeof releaseOutcomeSchema>;

async function readRelease(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError(`${file} is not JSON`);
  }
  const parsed = releaseBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ValidationError(
      `${file} is neither a catalog entry nor a withdrawal ({ version, blocked }): ${where}${issue?.message}`,
    );
  }
  return body;
}

function releaseSecret(flags: ReleaseFlags): string {
  if (!flags.secret) {
    throw new ConfigError(
      `no release secret: set $${RELEASE_SECRET_ENV} to the whsec_ secret the API verifies releases with`,
    );
  }
  if (!whsecSchema.safeParse(flags.secret).success) {
    throw new ConfigError(
      `the release secret is not a whsec_ secret (whsec_ and base64): set it again, the value is not shown`,
    );
  }
  return flags.secret;
}

export function renderRelease(outcome: Outcome): string {
  const lines = [
    `${outcome.action === 'registered' ? 'Registered' : 'Withdrew'} ${outcome.version}; the catalog lists ${outcome.versions} versions.`,
  ];
  for (const rollout of outcome.rollouts ?? []) {
    lines.push(
      'batchId' in rollout
        ? `Policy ${rollout.policy} ${rollout.created ? 'started' : 'had started'} batch ${rollout.batchId} on ${rollout.clusters} clusters: redis-upgrader rollout status ${rollout.batchId}`
        : `Policy ${rollout.policy} started nothing: ${rollout.refused}`,
    );
  }
  for (const paused of outcome.paused ?? []) {
    const stopped = paused.stopped.length > 0 ? `stopped ${paused.stopped.join(', ')}` : 'stopped no job';
    const finishing =
      paused.finishing.length > 0
        ? `; past their point of no return, finishing: ${paused.finishing.join(', ')}`
        : '';
    lines.push(`Paused batch ${paused.batchId}: ${stopped}${finishing}.`);
  }
  return lines.join('\n');
}

export function registerReleaseCommand(program: Command): void {
  withApiFlags(
    program
      .command('release')
      .description('sign a release (catalog entry or withdrawal) and send it to the release webhook')
      .requiredOption('--file <path>', 'the release: a catalog entry, or { "version", "blocked": "why" }')
      .addOption(
        new Option('--secret <whsec>', `signing secret; prefer $${RELEASE_SECRET_ENV}, flags show in ps`).env(
          RELEASE_SECRET_ENV,
        ),
      )
      .option(
        '--id <webhook-id>',
        'the release id, a new one unless given; resend a failed release with its id',
      ),
  ).action(async (flags: ReleaseFlags, command: Command) => {
    const body = await readRelease(flags.file);
    const secret = releaseSecret(flags);
    const id = flags.id ?? `rel_${randomUUID()}`;
    const at = new Date();
    // The client sends JSON.stringify(body): exactly the bytes signed here.
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, JSON.stringify(body)),
    };
    let outcome: Outcome;
    try {
      outcome = await sendRelease(apiClientFor(command, { requireToken: false }), body, headers);
    } catch (error) {
      if (!(error instanceof UnauthorizedError)) throw error;
      throw new UnauthorizedError(
        `${error.message.replace(/ \(check --token.*\)$/, '')} (check $${RELEASE_SECRET_ENV} against the API's release secrets, and this machine's clock)`,
      );
    }
    if (flags.json) printJson({ id, ...outcome });
    else printLines(`${renderRelease(outcome)}\nRelease id: ${id}`);
  });
}
