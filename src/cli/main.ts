/**
 * The `mdl` command line: dispatch to one module per command, loaded only when used, so that a
 * command pays start-up time for nothing it does not need (compile never loads SQLite).
 */

import { environmentFault, EXIT_ERRORS, EXIT_USAGE, UsageError } from './io.js';

interface Command {
  readonly summary: string;
  readonly load: () => Promise<{ help: string; run(args: readonly string[]): number | Promise<number> }>;
}

const commands: Record<string, Command> = {
  check: { summary: 'parse and check the models, report every problem', load: () => import('./check.js') },
  compile: { summary: 'emit the SQL for the models (tables, metadata, apply statements)', load: () => import('./compile.js') },
  push: { summary: 'create or update a mirror database to hold the models', load: () => import('./push.js') },
  ingest: { summary: 'apply change files (CSV, JSON Lines) to a model of a mirror', load: () => import('./ingest.js') },
  sql: { summary: 'run SQL on a mirror: INSERT INTO a model (as changes), DELETE (hygiene), SELECT', load: () => import('./sql.js') },
  integrity: { summary: 'report orphaned rows and cardinality breaches, per relationship', load: () => import('./integrity.js') },
  vacuum: { summary: 'remove old tombstones below a watermark; older changes are then rejected', load: () => import('./vacuum.js') },
  fmt: { summary: 'rewrite .mdl files in the canonical layout (--check: list those that would change)', load: () => import('./fmt.js') },
  diagram: { summary: 'draw the models and relationships as a Mermaid or Graphviz (DOT) diagram', load: () => import('./diagram.js') },
  repl: { summary: 'an interactive SQL session on a mirror, with dot commands and completion', load: () => import('./repl.js') },
};

const usage = `Usage: mdl <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run 'mdl <command> --help' for a command's options.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(usage);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write('mdl 0.1.0\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`mdl: unknown command '${name}'\n\n${usage}`);
    return EXIT_USAGE;
  }
  const mod = await command.load();
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (options.includes('--help') || options.includes('-h')) {
    process.stdout.write(mod.help);
    return 0;
  }
  try {
    return await mod.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`mdl ${name}: ${e.message}\n\n${mod.help}`);
      return EXIT_USAGE;
    }
    // The machine's trouble, not the input's (a full disk, a read-only file, a lock held too
    // long): one line saying what, never a stack trace. SQLite rolled back what it was doing.
    const fault = environmentFault(e);
    if (fault !== undefined) {
      process.stderr.write(`mdl ${name}: ${fault}\n`);
      return EXIT_ERRORS;
    }
    throw e;
  }
}
