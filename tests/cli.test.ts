/**
 * `mdl check` and `mdl compile` end to end, through the real binary (built by `npm test`).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mdl, project, root } from './helpers.js';

const examples = readdirSync(join(root, 'examples'));

const threeMistakes = `CREATE MODEL account (
  id STRING NOT NULL,
  name STRING,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (id),
  VERSION (updated_at)
);

CREATE MODEL contact (
  id STRING NOT NULL PRIMARY KEY,
  account_id STRING REFERENCES acount (id),
  seq BIGINT NOT NULL
);

CREATE MODEL note (
  id STRING NOT NULL PRIMARY KEY
  body STRING,
  seq BIGINT NOT NULL VERSION
) COMMENT 'x' ;
CREATE MODEL broken ( id STRING NOT NULL PRIMARY KEY, seq BIGINT NOT NULL VERSION, );
`;

describe('mdl check', () => {
  it.each(examples)('accepts the %s example', (name) => {
    const r = mdl(['check', `examples/${name}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok: \d+ models?, \d+ relationships? in \d+ files?\n$/);
    expect(r.status).toBe(0);
  });

  it('reports every independent mistake in one run, each with file:line:column and a code frame', () => {
    const dir = project({ 'models/crm.mdl': threeMistakes });
    const r = mdl(['check', '.'], { cwd: dir });
    expect(r.status).toBe(1);
    // unknown reference target, missing version, missing comma, junk commas: all in one run
    expect(r.stdout).toContain('error[MDL2007]: unknown model acount');
    expect(r.stdout).toContain('--> models/crm.mdl:11:32');
    expect(r.stdout).toContain('= help: did you mean account?');
    expect(r.stdout).toContain('error[MDL3005]: model contact has no version column');
    expect(r.stdout).toContain('--> models/crm.mdl:9:14');
    expect(r.stdout).toContain("error[MDL1001]: expected ',', found 'body'");
    expect(r.stdout).toContain('--> models/crm.mdl:16:33');
    expect(r.stdout).toContain("error[MDL1001]: expected a column or a constraint, found ')'\n  --> models/crm.mdl:20:84");
    // a code frame: the source line, then carets under the reported text
    expect(r.stdout).toContain('11 |   account_id STRING REFERENCES acount (id),\n   |                                ^^^^^^');
    expect(r.stdout).toMatch(/failed: 4 errors in/);
  });

  it('gives the same diagnostics as JSON with --format json', () => {
    const dir = project({ 'models/crm.mdl': threeMistakes });
    const plain = mdl(['check', '.'], { cwd: dir });
    const json = mdl(['check', '.', '--format', 'json'], { cwd: dir });
    expect(json.status).toBe(1);
    const out = JSON.parse(json.stdout) as {
      ok: boolean;
      diagnostics: { code: string; file: string; line: number; column: number; message: string }[];
    };
    expect(out.ok).toBe(false);
    const fromJson = out.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column} ${d.message}`);
    const fromPlain = [...plain.stdout.matchAll(/^error\[(MDL\d+)\]: (.*)\n\s+--> (.*)$/gm)].map((m) => `${m[1]} ${m[3]} ${m[2]}`);
    expect(fromJson).toEqual(fromPlain);
    expect(fromJson).toHaveLength(4);
  });

  it('reads every .mdl file below the current directory by default, across files and in any order', () => {
    const dir = project({
      'a/contact.mdl': `CREATE MODEL contact (id INT NOT NULL PRIMARY KEY, account_id INT REFERENCES account, seq BIGINT NOT NULL VERSION);`,
      'b/account.mdl': `CREATE MODEL account (id INT NOT NULL PRIMARY KEY, seq BIGINT NOT NULL VERSION);`,
      'node_modules/ignored.mdl': `this is not read`,
    });
    const r = mdl(['check', '--verbose'], { cwd: dir });
    expect(r.stdout).toBe('ok: 2 models, 1 relationship in 2 files\n  contact (account_id) -> account (id)  M:0  ON DELETE NO ACTION\n');
    expect(r.status).toBe(0);
  });

  it('reads a .mdl file behind a symbolic link', () => {
    const dir = project({ 'real/account.mdl': 'CREATE MODEL account (id INT NOT NULL PRIMARY KEY, seq BIGINT NOT NULL VERSION);' });
    mkdirSync(join(dir, 'models'));
    symlinkSync(join(dir, 'real/account.mdl'), join(dir, 'models/account.mdl'));
    expect(mdl(['check', 'models'], { cwd: dir }).stdout).toBe('ok: 1 model, 0 relationships in 1 file\n');
  });

  it('says which path it cannot read, and that a folder has no models', () => {
    const missing = mdl(['check', 'no/such/dir']);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain('error[MDL5001]: cannot read no/such/dir: no such file or directory');
    const empty = mdl(['check', '.'], { cwd: project({ 'README.md': '# nothing' }) });
    expect(empty.status).toBe(1);
    expect(empty.stdout).toContain('error[MDL5002]: no .mdl files found in .');
  });

  it('says where a file is not UTF-8, and reports its other mistakes too', () => {
    const dir = project({});
    const text = "CREATE MODEL t (\n  id BIGINT NOT NULL PRIMARY KEY COMMENT 'caf\u0000',\n  v BIGNT NOT NULL VERSION\n);\n";
    // A Latin-1 é where the NUL is.
    writeFileSync(join(dir, 'a.mdl'), Buffer.from(text.replace('\u0000', '\u00e9'), 'latin1'));
    const r = mdl(['check', '.', '--format', 'plain'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("error[MDL5003]: a.mdl is not UTF-8: the bytes here are not text (shown as U+FFFD)\n --> a.mdl:2:46\n  |\n2 |   id BIGINT NOT NULL PRIMARY KEY COMMENT 'caf\uFFFD',\n");
    expect(r.stdout).toContain('error[MDL2003]: unknown type BIGNT');
    expect(mdl(['compile', '.'], { cwd: dir }).status).toBe(1);
  });

  it('uses colour on a terminal, and never with NO_COLOR', () => {
    const dir = project({ 'm.mdl': 'CREATE MODEL m (id INT NOT NULL PRIMARY KEY);' });
    const viaTty = (env: string) =>
      spawnSync('script', ['-qec', `${env} ${process.execPath} ${join(root, 'bin/mdl.js')} check .`, '/dev/null'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, TERM: 'xterm' },
      }).stdout;
    expect(viaTty('env -u NO_COLOR')).toContain('\u001b[');
    expect(viaTty('NO_COLOR=1')).not.toContain('\u001b[');
    expect(viaTty('NO_COLOR=1')).toContain('error[MDL3005]');
    // NO_COLOR set to nothing is as if unset (no-color.org); TERM=dumb asks for none.
    expect(viaTty('NO_COLOR=')).toContain('\u001b[');
    expect(viaTty('TERM=dumb')).not.toContain('\u001b[');
    // Errors on a terminal are coloured while the SQL goes to a pipe.
    const piped = spawnSync('script', ['-qec', `${process.execPath} ${join(root, 'bin/mdl.js')} compile . | cat > /dev/null`, '/dev/null'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, TERM: 'xterm' },
    }).stdout;
    expect(piped).toContain('\u001b[');
    expect(piped).toContain('MDL3005');
    // not a terminal: no colour either
    expect(mdl(['check', '.'], { cwd: dir }).stdout).not.toContain('\u001b[');
  });
});

describe('mdl compile', () => {
  it('writes deterministic SQL: the same models give the same bytes', () => {
    const a = mdl(['compile', 'examples/crm']);
    const b = mdl(['compile', 'examples/crm']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(readFileSync(join(root, 'examples/crm/expected/schema.sql'), 'utf8'));
  });

  it('writes to a file with -o and says so on stderr', () => {
    const dir = project({ 'm.mdl': 'CREATE MODEL m (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);' });
    const r = mdl(['compile', '.', '-o', 'out.sql'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('wrote out.sql: 1 model\n');
    expect(readFileSync(join(dir, 'out.sql'), 'utf8')).toContain('CREATE TABLE IF NOT EXISTS "m"');
  });

  it('writes with -o exactly what it prints, across the output buffer and with pieces larger than it', () => {
    // About 2 MB of SQL (the writer's buffer holds 1 MiB), names and comments outside ASCII, and
    // one model whose text alone exceeds the buffer.
    const models: string[] = [];
    for (let i = 0; i < 300; i++) {
      models.push(`CREATE MODEL "modèle_${i}_日本" (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION, note TEXT COMMENT 'é€😀 ${i}');`);
    }
    models.push(`CREATE MODEL huge (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION) COMMENT '${'ü€😀'.repeat(150_000)}';`);
    const dir = project({ 'm.mdl': models.join('\n') });
    const toFile = mdl(['compile', '.', '-o', 'out.sql'], { cwd: dir });
    expect(toFile.status).toBe(0);
    const printed = mdl(['compile', '.'], { cwd: dir });
    expect(printed.status).toBe(0);
    const written = readFileSync(join(dir, 'out.sql'));
    expect(written.length).toBeGreaterThan(2 << 20);
    expect(written.equals(Buffer.from(printed.stdout, 'utf8'))).toBe(true);
  });

  it('writes nothing when the models have errors, and shows them on stderr', () => {
    const dir = project({ 'm.mdl': 'CREATE MODEL m (id INT PRIMARY KEY, v BIGINT NOT NULL VERSION);' });
    const r = mdl(['compile', '.', '-o', 'out.sql'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error[MDL3003]: primary-key column id of model m must be declared NOT NULL');
    expect(r.stderr).toContain('failed: 1 error; nothing written');
    expect(existsSync(join(dir, 'out.sql'))).toBe(false);
  });

  it('says in one line why it cannot write -o, and exits 1', () => {
    const dir = project({ 'm.mdl': 'CREATE MODEL m (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);' });
    const intoFolder = mdl(['compile', '.', '-o', dir], { cwd: dir });
    expect(intoFolder.status).toBe(1);
    expect(intoFolder.stderr).toBe(`mdl compile: cannot write ${dir}: it is a directory\n`);
    const missing = mdl(['compile', '.', '-o', 'no/such/dir/out.sql'], { cwd: dir });
    expect(missing.stderr).toBe('mdl compile: cannot write no/such/dir/out.sql: no such file or directory\n');
  });

  it('ends quietly when the reader closes the pipe early', () => {
    const r = spawnSync('sh', ['-c', `${process.execPath} ${join(root, 'bin/mdl.js')} compile examples/crm | head -1`], { cwd: root, encoding: 'utf8' });
    expect(r.stdout).toBe('-- Generated by mdl from the models below. Do not edit: change the .mdl files and compile again.\n');
    expect(r.stderr).toBe('');
    // A script of several megabytes, written a megabyte at a time: the writes after the reader
    // left end quietly too, with status 0.
    const models: string[] = [];
    for (let i = 0; i < 1500; i++) models.push(`CREATE MODEL m${i} (id STRING NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION, a TEXT, b INT);`);
    const dir = project({ 'm.mdl': models.join('\n') });
    const big = spawnSync('sh', ['-c', `{ ${process.execPath} ${join(root, 'bin/mdl.js')} compile .; echo "mdl exited $?" >&2; } | head -c 100 > /dev/null`], { cwd: dir, encoding: 'utf8' });
    expect(big.stderr).toBe('mdl exited 0\n');
  });

  it.each(['compile', 'check'])('does not load SQLite to %s', (command) => {
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `
        const { main } = await import(${JSON.stringify(join(root, 'dist/cli/main.js'))});
        process.stdout.write = () => true;
        await main([${JSON.stringify(command)}, ${JSON.stringify(join(root, 'examples/crm'))}]);
        const { createRequire } = await import('node:module');
        const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('better-sqlite3'));
        console.error(JSON.stringify(loaded));
      `],
      { encoding: 'utf8' },
    );
    expect(r.stderr.trim()).toBe('[]');
  });
});

describe('the command line contract', () => {
  it.each(['check', 'compile'])('mdl %s --help explains the command and exits 0', (cmd) => {
    const r = mdl([cmd, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`Usage: mdl ${cmd}`);
    expect(r.stdout).toContain('Exit status');
  });

  it('lists the commands with --help', () => {
    const r = mdl(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/check\s+parse and check/);
  });

  it('treats what follows -- as paths, not options', () => {
    const r = mdl(['check', '--', '--help']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('cannot read --help');
  });

  it('exits 2 on usage errors, with the usage on stderr', () => {
    const bare = mdl([]);
    expect(bare.status).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toContain('Usage: mdl <command>');
    const unknown = mdl(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("mdl: unknown command 'frobnicate'");
    const badFormat = mdl(['check', '--format', 'xml']);
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toContain("--format must be one of pretty, plain, json, not 'xml'");
    const badOption = mdl(['compile', '--frob']);
    expect(badOption.status).toBe(2);
    expect(badOption.stderr).toContain('unknown option --frob');
    // In mdl's words, with what was probably meant.
    expect(mdl(['compile', '--uot', 'x.sql']).stderr).toMatch(/^mdl compile: unknown option --uot \(did you mean --out\?\)$/m);
    expect(mdl(['sql', '--db']).stderr).toMatch(/^mdl sql: --db needs a value$/m);
    expect(mdl(['ingest', '--json=yes']).stderr).toMatch(/^mdl ingest: --json takes no value$/m);
    expect(mdl(['compile', '.', '-o']).stderr).toMatch(/^mdl compile: --out needs a value$/m);
    expect(mdl(['check', '--help=1']).stderr).toMatch(/^mdl check: --help takes no value$/m);
    // -o - is standard output, not a file named -.
    const dir = project({ 'm.mdl': 'CREATE MODEL m (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL VERSION);' });
    for (const command of ['compile', 'diagram']) {
      const r = mdl([command, '.', '-o', '-'], { cwd: dir });
      expect([r.status, r.stdout], command).toEqual([0, mdl([command, '.'], { cwd: dir }).stdout]);
      expect(existsSync(join(dir, '-')), command).toBe(false);
    }
    expect(mdl(['compile', '--target', 'oracle']).status).toBe(2);
  });
});

describe('npm start', () => {
  it('pushes the CRM example into an embedded SQLite file, ingests its changes and shows the result', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/start.js')], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ok: 8 models, 12 relationships in 4 files');
    expect(r.stdout).toContain('.mdl-demo/crm.db: created 8 models');
    expect(r.stdout).toContain('account: 10 received: 3 inserted, 0 updated, 0 deleted, 1 tombstoned, 2 stale, 1 duplicate, 3 rejected');
    expect(r.stdout).toContain('examples/crm/changes/account.csv: ingested before (the same content, read as the same format), nothing applied again');
    expect(r.stdout).toContain('account: 10 received: 0 inserted, 0 updated, 0 deleted, 0 tombstoned, 2 stale, 5 duplicate, 3 rejected');
    expect(r.stdout).toContain('contact: 7 received: 2 inserted, 0 updated, 0 deleted, 1 tombstoned, 1 stale, 1 duplicate, 2 rejected');
    // The late, older change to Contoso did not overwrite the newer one.
    expect(r.stdout).toMatch(/001A0000003 +Contoso Labs Ltd +NULL +13100000\.25 +customer/);
    expect(r.stdout).toContain('column annual_revenue: "1000000.123" is not a decimal that fits DECIMAL(18, 2)');
    // The hygiene scenario: the dry run as the README shows it, the delete, and a replay that brings nothing back.
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const shown = /\n\$ npx mdl sql --db crm\.db --dry-run -e [^\n]*\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(r.stdout).toContain(shown);
    expect(r.stdout).toContain('contact: deleted 5 rows, cleared 0 references (hygiene ledger 1)');
    expect(r.stdout).toContain('contact: 7 received: 0 inserted, 0 updated, 0 deleted, 0 tombstoned, 2 stale, 3 duplicate, 2 rejected');
    expect(r.stdout).toContain('marketing_consent: 3 received: 0 inserted, 0 updated, 0 deleted, 0 tombstoned, 2 stale, 1 duplicate, 0 rejected');
    expect(r.stdout).not.toContain('ana.silva@northwind.example  ');
    expect(existsSync(join(root, '.mdl-demo/crm.db'))).toBe(true);
  });
});
