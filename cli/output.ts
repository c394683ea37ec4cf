/**
 * How commands speak: results on stdout; errors as one line on stderr, or with `--json` as
 * `{"error":{"code","message"}}` on stdout so a script reads one stream.
 */
import { CommanderError } from 'commander';
import { errorMessage, UpgraderError } from '#domain/errors.ts';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(text: string): void {
  process.stdout.write(`${text}\n`);
}

interface ErrorView {
  code: string;
  message: string;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function view(error: unknown): ErrorView {
  if (error instanceof CommanderError) {
    return { code: 'USAGE', message: `${oneLine(error.message.replace(/^error: /, ''))} (see --help)` };
  }
  if (error instanceof UpgraderError) return { code: error.code, message: oneLine(error.message) };
  const message = errorMessage(error);
  return { code: 'INTERNAL', message: `unexpected failure: ${oneLine(message)}` };
}

export function reportError(error: unknown, json: boolean): void {
  const { code, message } = view(error);
  if (json) {
    printJson({ error: { code, message } });
    return;
  }
  process.stderr.write(`error: ${message}\n`);
  // Stack traces only on request: the one-line message is what an operator acts on.
  if (process.env.REDIS_UPGRADER_DEBUG && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
}
