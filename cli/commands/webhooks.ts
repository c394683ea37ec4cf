/**
 * `redis-upgrader webhooks add|list|rm|rotate|deliveries`: the webhook endpoints that receive job
 * and batch events. `add` and `rotate` print the endpoint's signing secret: the API shows it in
 * that reply only, so this is the one chance to keep it (with --json it is in the JSON).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { type ApiFlags, apiClientFor, durationSeconds, withApiFlags } from '#cli/api-flags.ts';
import { printJson, printLines } from '#cli/output.ts';
import { renderFields, renderTable } from '#cli/table.ts';
import {
  addEndpoint,
  endpointDeliveries,
  listEndpoints,
  removeEndpoint,
  rotateSecret,
} from '#cli/webhook-api.ts';
import type { DeliveryView } from '#shared/http/webhook-schemas.ts';

interface AddFlags extends ApiFlags {
  event: string[];
  description?: string;
}

type Endpoint = Awaited<ReturnType<typeof listEndpoints>>[number];

function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((each) => each !== '')];
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500)
    throw new InvalidArgumentError('expected a whole number 1-500');
  return n;
}

export function renderEndpoints(endpoints: readonly Endpoint[]): string {
  if (endpoints.length === 0) return 'No webhook endpoints: add one with `redis-upgrader webhooks add URL`.';
  return renderTable(
    ['ID', 'URL', 'EVENTS', 'STATUS'],
    endpoints.map((e) => [e.id, e.url, e.events.join(','), e.status]),
  );
}

function renderEndpoint(endpoint: Endpoint): string {
  return renderFields([
    ['Endpoint', endpoint.id],
    ['URL', endpoint.url],
    ['Events', endpoint.events.join(', ')],
    ['Description', endpoint.description],
    ['Status', endpoint.statusReason ? `${endpoint.status} (${endpoint.statusReason})` : endpoint.status],
  ]);
}

export function renderDeliveries(deliveries: readonly DeliveryView[]): string {
  if (deliveries.length === 0) return 'No deliveries to this endpoint yet.';
  return renderTable(
    ['ID', 'EVENT', 'TYPE', 'STATUS', 'ATTEMPTS', 'LAST', 'NEXT RETRY'],
    deliveries.map((d) => {
      const last = d.attempts.at(-1);
      const outcome = last
        ? `${last.statusCode ?? last.error ?? ''} in ${Math.round(last.latencyMs)} ms`
        : '';
      return [
        d.id,
        d.eventId,
        d.eventType,
        d.status,
        String(d.attempts.length),
        outcome,
        d.nextAttemptAt ?? '',
      ];
    }),
  );
}

export function registerWebhooksCommand(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('manage the webhook endpoints that receive job and batch events');
  withApiFlags(
    webhooks
      .command('add')
      .description('register an endpoint; prints its signing secret, shown this once')
      .argument('<url>', 'the receiver, a public http(s) URL')
      .requiredOption(
        '--event <type>',
        'an event type to receive, or *; repeat or comma-separate',
        repeatable,
      )
      .option('--description <text>', 'what the endpoint is for'),
  ).action(async (url: string, flags: AddFlags, command: Command) => {
    const body = {
      url,
      events: flags.event,
      ...(flags.description ? { description: flags.description } : {}),
    };
    const created = await addEndpoint(apiClientFor(command), body);
    if (flags.json) printJson(created);
    else
      printLines(
        `${renderEndpoint(created.endpoint)}\nSecret       ${created.secret}  (shown this once: keep it now)`,
      );
  });
  withApiFlags(webhooks.command('list').description('list the endpoints (never their secrets)')).action(
    async (flags: ApiFlags, command: Command) => {
      const items = await listEndpoints(apiClientFor(command));
      if (flags.json) printJson({ items });
      else printLines(renderEndpoints(items));
    },
  );
  withApiFlags(
    webhooks
      .command('rm')
      .description('remove an endpoint and its secrets')
      .argument('<id>', 'the endpoint id'),
  ).action(async (id: string, flags: ApiFlags, command: Command) => {
    const removed = await removeEndpoint(apiClientFor(command), id);
    if (flags.json) printJson(removed);
    else printLines(`Removed endpoint ${removed.id} (${removed.url}).`);
  });
  withApiFlags(
    webhooks
      .command('rotate')
      .description('give an endpoint a new secret; the old one keeps signing during the overlap')
      .argument('<id>', 'the endpoint id')
      .option(
        '--overlap <duration>',
        'how long the old secret keeps signing, e.g. 1h or 2d',
        durationSeconds,
      ),
  ).action(async (id: string, flags: ApiFlags & { overlap?: number }, command: Command) => {
    const rotated = await rotateSecret(apiClientFor(command), id, flags.overlap);
    if (flags.json) printJson(rotated);
    else {
      const until = rotated.previousSecretsExpireAt
        ? `the previous secret signs too until ${rotated.previousSecretsExpireAt}`
        : 'the previous secret no longer signs';
      printLines(`New secret for ${id}: ${rotated.secret}  (shown this once); ${until}.`);
    }
  });
  withApiFlags(
    webhooks
      .command('deliveries')
      .description("an endpoint's deliveries, newest first: attempts, status codes, latency, next retry")
      .argument('<id>', 'the endpoint id')
      .option('--limit <n>', 'how many, up to 500 (100 unless given)', count),
  ).action(async (id: string, flags: ApiFlags & { limit?: number }, command: Command) => {
    const items = await endpointDeliveries(apiClientFor(command), id, flags.limit);
    if (flags.json) printJson({ items });
    else printLines(renderDeliveries(items));
  });
}
