/** The flags every command that talks to a running API shares, and the argument parsers commands use. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import ms from 'ms';
import type * as z from 'zod';
import { ApiClient } from '#cli/api-client.ts';
import { DEFAULT_API_URL, type Given, resolveApiTarget, TOKEN_ENV, URL_ENV } from '#cli/api-target.ts';

export interface ApiFlags {
  api?: string;
  token?: string;
  json?: boolean;
}

export function withApiFlags(command: Command): Command {
  return command
    .addOption(new Option('--api <url>', 'API base URL').env(URL_ENV).default(DEFAULT_API_URL))
    .addOption(
      new Option('--token <token>', 'API bearer token; prefer the variable, flags show in ps').env(TOKEN_ENV),
    )
    .option('--json', 'machine-readable output');
}

/** A flag's value as typed or read from its variable, naming where it came from; undefined when only defaulted. */
function given(command: Command, key: 'api' | 'token', flag: string, variable: string): Given | undefined {
  const value = command.getOptionValue(key) as string | undefined;
  const source = command.getOptionValueSource(key);
  if (!value || (source !== 'cli' && source !== 'env')) return undefined;
  return { value, source: source === 'cli' ? flag : `$${variable}` };
}

/** The client for a command's `--api` and `--token` (or their variables). */
export function apiClientFor(command: Command, { requireToken = true } = {}): ApiClient {
  const target = resolveApiTarget(
    { url: given(command, 'api', '--api', URL_ENV), token: given(command, 'token', '--token', TOKEN_ENV) },
    process.env,
    (line) => process.stderr.write(`${line}\n`),
    requireToken,
  );
  return new ApiClient(target);
}

/** A commander argument parser from a request field's own schema: the flag is refused as the API would. */
export function parsedBy<T extends z.ZodType>(schema: T): (value: string) => z.output<T> {
  return (value) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'invalid');
    return parsed.data;
  };
}

export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0');
  return n;
}

/** A duration with its unit (`90m`, `12h`, `2d`) as whole seconds; a bare number is refused as ambiguous. */
export function durationSeconds(value: string): number {
  const millis = Number.isFinite(Number(value)) ? Number.NaN : ms(value as ms.StringValue);
  const seconds = millis / 1000;
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(
      'expected a duration above 0 in whole seconds with its unit, e.g. 90m, 12h or 2d',
    );
  }
  return seconds;
}
