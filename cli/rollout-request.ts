/**
 * The `rollout` flags as a `POST /batches` body. Each flag is parsed with the domain's own
 * parser or schema (quantities, label selectors, maintenance windows), so the command line
 * refuses what the API would, with the same words, before anything is sent.
 */
import { InvalidArgumentError } from 'commander';
import type { StartBatchInput } from '#cli/api-client.ts';
import { parsedBy } from '#cli/api-flags.ts';
import { UpgraderError } from '#domain/errors.ts';
import { APPROVAL_MODES, type ApprovalMode } from '#domain/rollout/batch-request.ts';
import type { LabelSelector } from '#domain/rollout/label-selector.ts';
import { selectorFromText } from '#domain/rollout/label-selector-text.ts';
import type { MaintenanceWindow } from '#domain/rollout/maintenance-window-schema.ts';
import { parseWindowText } from '#domain/rollout/maintenance-window-text.ts';
import { type Quantity, quantitySchema } from '#domain/rollout/quantity.ts';

export interface RolloutFlags {
  to?: string;
  clusters?: string[];
  selector?: LabelSelector;
  name?: string;
  canary?: Quantity;
  waveSize?: Quantity;
  waves?: LabelSelector[];
  maxConcurrency?: Quantity;
  maxFailed?: Quantity;
  countBlocked?: boolean;
  bake?: number;
  approval?: ApprovalMode;
  window?: MaintenanceWindow;
  unreachableRetries?: number;
  skipBusy?: boolean;
  takeBackup?: boolean;
  skipBackupCheck?: boolean;
  maxBackupAge?: number;
  includePrerelease?: boolean;
  callbackUrl?: string;
  dryRun?: boolean;
}

/** A domain parser as a commander argument parser: its ValidationError becomes a usage error. */
function fromDomain<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (error instanceof UpgraderError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

export const parseCount = parsedBy(quantitySchema(1));
export const parseBudget = parsedBy(quantitySchema(0));
export const parseSelector = fromDomain(selectorFromText);
export const parseWindow = fromDomain(parseWindowText);

export function parseClusterList(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('expected cluster names separated by commas');
  return names;
}

/** `env=dev;env=staging;env=prod`: one selector per wave, in order. */
export const parseWaveSelectors = fromDomain((text: string) =>
  text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(selectorFromText),
);

export function parseApproval(text: string): ApprovalMode {
  if ((APPROVAL_MODES as readonly string[]).includes(text)) return text as ApprovalMode;
  throw new InvalidArgumentError(`expected one of ${APPROVAL_MODES.join(', ')}`);
}

export function parseRetries(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 20) throw new InvalidArgumentError('expected a whole number 0-20');
  return n;
}

const defined = <T extends object>(fields: T) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;

/** The request body; the server fills in every default the flags leave out. */
export function batchRequestFrom(flags: RolloutFlags & { to: string }): StartBatchInput {
  const options = defined({
    takeBackup: flags.takeBackup,
    skipBackupCheck: flags.skipBackupCheck,
    maxBackupAgeSeconds: flags.maxBackupAge,
    includePrerelease: flags.includePrerelease,
  });
  const strategy = defined({
    canary: flags.canary,
    waveSize: flags.waveSize,
    waves: flags.waves,
    maxConcurrency: flags.maxConcurrency,
    failureBudget:
      flags.maxFailed === undefined && !flags.countBlocked
        ? undefined
        : defined({ maxFailed: flags.maxFailed, countBlocked: flags.countBlocked }),
    bakeSeconds: flags.bake,
    approval: flags.approval,
    window: flags.window,
    unreachable:
      flags.unreachableRetries === undefined
        ? undefined
        : { mode: 'defer' as const, retries: flags.unreachableRetries },
    skipBusy: flags.skipBusy,
  });
  return {
    targetVersion: flags.to,
    ...(flags.clusters ? { clusters: flags.clusters } : {}),
    ...(flags.selector ? { selector: flags.selector } : {}),
    strategy,
    ...(Object.keys(options).length > 0 ? { options } : {}),
    ...defined({ name: flags.name, callbackUrl: flags.callbackUrl }),
    ...(flags.dryRun ? { dryRun: true } : {}),
  };
}
