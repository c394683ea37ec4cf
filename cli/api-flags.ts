/** The flags every command that talks to a running API shares, and the number parsers they use. */
import { type Command, InvalidArgumentError } from 'commander';
import { API_ENV, DEFAULT_API_URL, TOKEN_ENV } from '#cli/api-client.ts';

export interface ApiFlags {
  api?: string;
  token?: string;
  json?: boolean;
}

export function withApiFlags(command: Command): Command {
  return command
    .option('--api <url>', `API base URL (default: $${API_ENV} or ${DEFAULT_API_URL})`)
    .option(
      '--token <token>',
      `API bearer token (default: $${TOKEN_ENV}; prefer the variable, flags show in ps)`,
    )
    .option('--json', 'machine-readable output');
}

export function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0');
  return n;
}
