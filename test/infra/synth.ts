/**
 * One synthesised stack per test file. Assertion tests replace each function's esbuild bundle
 * with inline code (the only test-only switch in the stack): bundling seven entries on every run
 * costs tens of seconds and checks nothing these tests assert. `npx cdk synth` and
 * test/infra/bundling.test.ts bundle for real.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { UpgraderStack } from '../../infra/stack.ts';
import type { StackConfigInput } from '../../infra/stack-config.ts';

export function synthStack(config: StackConfigInput = {}): {
  app: App;
  stack: UpgraderStack;
  template: Template;
} {
  const app = new App();
  const stack = new UpgraderStack(app, 'Test', {
    config,
    codeOverride: Code.fromInline('export const handler = async () => ({});'),
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  return { app, stack, template: Template.fromStack(stack) };
}
