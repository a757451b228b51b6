#!/usr/bin/env node
// Thin entry point: all logic lives in the built CLI (`npm run build` → dist/).
import { runAsProcess } from '../dist/cli/process.js';

await runAsProcess();
