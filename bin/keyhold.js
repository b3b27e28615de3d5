#!/usr/bin/env node
// The `keyhold` command: headless, no Electron. Built from main/cli/ by `npm run build`.
import { run } from '../dist/main/cli/index.js';

process.exitCode = await run(process.argv);
