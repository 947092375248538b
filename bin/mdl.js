#!/usr/bin/env node
// The mdl command. The code lives in dist/ (built from src/ by `npm install` or `npm run build`).
import { main } from '../dist/cli/main.js';

// A reader that stops early (mdl compile | head) closes the pipe: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const code = await main(process.argv.slice(2));
// Let pending writes to a pipe finish before the process ends.
process.exitCode = code;
