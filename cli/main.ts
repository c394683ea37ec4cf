#!/usr/bin/env node
/** Entry point of the `redis-upgrader` bin (runs on the project's Node 24 via npx/npm run). */
import { runCli } from '#cli/program.ts';

const code = await runCli(process.argv);
// A command may already have set a non-zero outcome (e.g. a job that ended blocked).
process.exitCode ||= code;
