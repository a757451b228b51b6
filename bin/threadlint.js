#!/usr/bin/env node
// Thin entry point: all logic lives in the built CLI (`npm run build` → dist/).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
