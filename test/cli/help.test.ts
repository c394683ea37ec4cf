/**
 * `--help` as a newcomer reads it: `demo` listed first, and defaults shown one way, commander's
 * own `(default: ..., env: ...)`, on every command.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from '#cli/program.ts';
import { runCli } from './support/run-cli.ts';

/** Every command and subcommand of the program, depth first. */
function allCommands(command: Command): Command[] {
  return command.commands.flatMap((sub) => [sub, ...allCommands(sub)]);
}

describe('redis-upgrader --help', () => {
  it('lists demo first, then every command that covers the API', async () => {
    // Act
    const run = await runCli(['--help']);

    // Assess
    expect(run.code).toBe(0);
    const commands = run.stdout
      .split('Commands:\n')[1]
      ?.split('\n')
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => line.trim().split(/\s/)[0]);
    expect(commands).toEqual([
      'demo',
      'plan',
      'upgrade',
      'rollout',
      'status',
      'list',
      'cancel',
      'clusters',
      'webhooks',
      'release',
      'serve',
      'sim',
      'help',
    ]);
  });

  it('shows every default and variable in commander’s format, never in a phrase of its own', () => {
    // Act
    const commands = allCommands(createProgram());
    const help = commands
      .map((command) => command.helpInformation())
      .join('\n')
      .replace(/\s*\n\s*/g, ' ');

    // Assess
    expect(commands.map((command) => command.name())).toEqual(expect.arrayContaining(['cancel', 'register']));
    expect(help.match(/default/gi)?.length).toBe(help.match(/\(default: /g)?.length);
    expect(help).not.toMatch(/\(default: \$/);
    expect(help).toContain('(default: "http://127.0.0.1:8080", env: REDIS_UPGRADER_URL)');
    expect(help).toContain('(env: REDIS_UPGRADER_CLIENT_TOKEN)');
    expect(help).toContain('(default: examples/catalog.json, env: REDIS_UPGRADER_CATALOG)');
    expect(help).toContain('(env: REDIS_UPGRADER_PORT)');
  });
});
