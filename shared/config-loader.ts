/**
 * How every runtime reads its environment (the local runtime: shared/config.ts; the Lambda
 * functions: #adapters/aws/aws-config.ts): one zod schema whose keys are the variable names,
 * parsed once at start-up, so a typo fails fast with one line naming every bad variable instead
 * of surfacing as a stuck job an hour later. Empty strings count as unset; the values of secret
 * variables are never echoed.
 */
import * as z from 'zod';
import { ConfigError } from '#domain/errors.ts';
import { rolloutPoliciesSchema } from '#domain/rollout/rollout-policy.ts';

export type Environment = Record<string, string | undefined>;

export interface LoadOptions {
  /** Starts the error line, e.g. `invalid configuration`. */
  what: string;
  /** Variables whose values must never appear in an error message or a log line. */
  secrets?: readonly string[];
}

function describeIssue(issue: z.core.$ZodIssue, env: Environment, secrets: readonly string[]): string {
  // An issue about several variables together (a refinement of the whole) names them itself.
  if (issue.path.length === 0) return issue.message;
  const [variable, ...inside] = issue.path.map(String);
  const raw = env[variable as string];
  const shown =
    raw === undefined ? 'unset' : secrets.includes(variable as string) ? 'value hidden' : `got "${raw}"`;
  const where = inside.length > 0 ? ` at ${inside.join('.')}` : '';
  return `${variable}${where}: ${issue.message} (${shown})`;
}

/** A variable holding JSON: parsed, then held to the schema it is piped to. */
export const jsonText = z.string().transform((text, context) => {
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    context.addIssue({ code: 'custom', message: 'is not JSON' });
    return z.NEVER;
  }
});

/** The rollout policies setting on both runtimes: a JSON array of policies, none by default. */
export const rolloutPoliciesSetting = jsonText.pipe(rolloutPoliciesSchema).default([]);

export function loadEnvironment<T extends z.ZodType>(
  schema: T,
  env: Environment,
  options: LoadOptions,
): z.output<T> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => describeIssue(issue, present, options.secrets ?? []));
  throw new ConfigError(`${options.what}: ${problems.join('; ')}`);
}
