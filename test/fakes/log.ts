import type { Log } from '#shared/ports.ts';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

/** Keeps log lines for assertions (e.g. that an override was logged). */
export class RecordingLog implements Log {
  readonly lines: LogLine[] = [];

  debug(message: string, ...attributes: Record<string, unknown>[]): void {
    this.lines.push({ level: 'debug', message, attributes: Object.assign({}, ...attributes) });
  }
  info(message: string, ...attributes: Record<string, unknown>[]): void {
    this.lines.push({ level: 'info', message, attributes: Object.assign({}, ...attributes) });
  }
  warn(message: string, ...attributes: Record<string, unknown>[]): void {
    this.lines.push({ level: 'warn', message, attributes: Object.assign({}, ...attributes) });
  }
  error(message: string, ...attributes: Record<string, unknown>[]): void {
    this.lines.push({ level: 'error', message, attributes: Object.assign({}, ...attributes) });
  }
}
