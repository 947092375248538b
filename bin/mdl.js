#!/usr/bin/env node
// The mdl command. The code lives in dist/ (built from src/ by `npm install` or `npm run build`).
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
// Let pending writes to a pipe finish before the process ends.
process.exitCode = code;
