/**
 * The formatter and `mdl fmt`: the canonical layout, comments where they were written, and the
 * two invariants over every example, every test case and generated models: formatting twice
 * gives the text of formatting once, and the checker makes the same of the text before and after
 * (the IR with spans removed, and the diagnostics).
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkSources, Diagnostics, type SourceFile } from '../src/index.js';
import { formatSource } from '../src/format/format.js';
import { run } from '../src/cli/fmt.js';
import { UsageError } from '../src/cli/io.js';
import { project, root } from './helpers.js';
import { mdlFiles } from './mdl-arbitraries.js';

const SEED = 20261124;

function fmt(text: string): string | undefined {
  return formatSource({ path: 'input.mdl', text }, new Diagnostics());
}

/** Formats, and holds the result to both invariants on the way. */
function fmtChecked(text: string): string {
  const once = fmt(text);
  expect(once, 'the input has no syntax error').toBeDefined();
  expect(fmt(once!)).toBe(once);
  expect(meaning([{ path: 'input.mdl', text: once! }])).toEqual(meaning([{ path: 'input.mdl', text }]));
  return once!;
}

function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'span' && !k.endsWith('Span'))
      .map(([k, v]) => [k, withoutSpans(v)]),
  );
}

/** What the checker makes of a project, spans aside. */
function meaning(sources: readonly SourceFile[]) {
  const result = checkSources(sources);
  return {
    schema: withoutSpans(result.schema),
    diagnostics: result.diagnostics.map((d) => `${d.code} ${d.message} ${d.hint ?? ''}`).sort(),
  };
}

describe('the canonical layout', () => {
  it('upper-cases keywords and known types, aligns columns, orders elements, modifiers and options', () => {
    const input = `create model if not exists Account (
  version (updated_at), primary key (id),
  id varchar ( 18 ) not null,
  "display name" string comment 'shown' null,
  owner_id strng references sales_user (id) many to one on delete set null,
  balance decimal(12,2) default -2.5 not null,
  updated_at timestamp not null,
  UNIQUE (owner_id),
  constraint fk_o foreign key (owner_id) references sales_user
) comment 'an ''account''' with history behavior record;
`;
    // strng is not one of mdl's types: kept as written (the checker reports it).
    expect(fmtChecked(input)).toBe(`CREATE MODEL IF NOT EXISTS Account (
  id              VARCHAR(18)    NOT NULL,
  "display name"  STRING         NULL COMMENT 'shown',
  owner_id        strng          REFERENCES sales_user (id) MANY TO ONE ON DELETE SET NULL,
  balance         DECIMAL(12, 2) NOT NULL DEFAULT -2.5,
  updated_at      TIMESTAMP      NOT NULL,
  PRIMARY KEY (id),
  VERSION (updated_at),
  UNIQUE (owner_id),
  CONSTRAINT fk_o FOREIGN KEY (owner_id) REFERENCES sales_user
) BEHAVIOR RECORD WITH HISTORY COMMENT 'an ''account''';
`);
  });

  it('separates models by one blank line and ends the file with one newline', () => {
    const input = 'CREATE MODEL a (id INT NOT NULL PRIMARY KEY, v INT NOT NULL VERSION);CREATE MODEL b (id INT NOT NULL PRIMARY KEY,\n\n\n v INT NOT NULL VERSION)\n\n\n\n;\n\n\n';
    expect(fmtChecked(input)).toBe(`CREATE MODEL a (
  id  INT NOT NULL PRIMARY KEY,
  v   INT NOT NULL VERSION
);

CREATE MODEL b (
  id  INT NOT NULL PRIMARY KEY,
  v   INT NOT NULL VERSION
);
`);
  });

  it('keeps names as written, quoted only where they were, and soft keywords as names', () => {
    const out = fmtChecked(`CREATE MODEL "order line" ("Key" STRING NOT NULL, version BIGINT NOT NULL, "say ""hi""" TEXT, PRIMARY KEY ("Key"), VERSION (version));`);
    expect(out).toContain('CREATE MODEL "order line" (');
    expect(out).toContain('  "Key"         STRING NOT NULL,');
    expect(out).toContain('  version       BIGINT NOT NULL,');
    expect(out).toContain('  "say ""hi"""  TEXT,');
    expect(out).toContain('  VERSION (version)');
  });

  it('keeps repeated modifiers and options in their order (the last DEFAULT counts)', () => {
    const out = fmtChecked(`CREATE MODEL a (id INT DEFAULT 2 NOT NULL DEFAULT 1 PRIMARY KEY, v INT NOT NULL VERSION) COMMENT 'y' BEHAVIOR RECORD COMMENT 'x';`);
    expect(out).toContain('  id  INT NOT NULL DEFAULT 2 DEFAULT 1 PRIMARY KEY,');
    expect(out).toContain(") BEHAVIOR RECORD COMMENT 'y' COMMENT 'x';");
  });

  it('breaks a line that would pass 100 characters before each REFERENCES and COMMENT, in the modifier column', () => {
    const out = fmtChecked(
      `CREATE MODEL account_billing_profile (account_id VARCHAR(18) NOT NULL PRIMARY KEY REFERENCES account (id) ONE TO ONE ON DELETE CASCADE COMMENT 'the account', ` +
        `updated_at TIMESTAMP NOT NULL VERSION, ` +
        `CONSTRAINT billing_profile_owner FOREIGN KEY (account_id, updated_at) REFERENCES account_owner_history (account_id, changed_at) MANY TO ONE ON DELETE NO ACTION);`,
    );
    expect(out).toBe(
      [
        'CREATE MODEL account_billing_profile (',
        '  account_id  VARCHAR(18) NOT NULL PRIMARY KEY',
        '                          REFERENCES account (id) ONE TO ONE ON DELETE CASCADE',
        '                          COMMENT \'the account\',',
        '  updated_at  TIMESTAMP   NOT NULL VERSION,',
        '  CONSTRAINT billing_profile_owner FOREIGN KEY (account_id, updated_at)',
        '    REFERENCES account_owner_history (account_id, changed_at) MANY TO ONE ON DELETE NO ACTION',
        ');',
        '',
      ].join('\n'),
    );
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    // The last element has no comma after it: 100 characters fit, 101 do not.
    const prefix = '  id  INT NOT NULL PRIMARY KEY REFERENCES ';
    const suffix = ' ON DELETE CASCADE';
    for (const width of [100, 101]) {
      const target = 't'.repeat(width - prefix.length - suffix.length);
      const last = fmtChecked(`CREATE MODEL m (v INT NOT NULL VERSION, id INT NOT NULL PRIMARY KEY REFERENCES ${target} ON DELETE CASCADE);`).split('\n')[2]!;
      expect(last.length).toBe(width === 100 ? 100 : '  id  INT NOT NULL PRIMARY KEY'.length);
    }
    // A line that fits stays whole.
    expect(fmtChecked('CREATE MODEL a (id INT NOT NULL PRIMARY KEY REFERENCES b ON DELETE CASCADE, v INT NOT NULL VERSION);')).toContain(
      '  id  INT NOT NULL PRIMARY KEY REFERENCES b ON DELETE CASCADE,',
    );
  });

  it('leaves the elements in written order where moving the columns first would reorder keys or relationships', () => {
    // The table-level UNIQUE comes before the column-level one: the unique keys are listed in
    // declaration order, so the columns may not move ahead of it.
    const input = `CREATE MODEL a (
  UNIQUE (code),
  id INT NOT NULL PRIMARY KEY,
  email STRING UNIQUE,
  code STRING,
  v INT NOT NULL VERSION
);
`;
    expect(fmtChecked(input)).toBe(`CREATE MODEL a (
  UNIQUE (code),
  id     INT    NOT NULL PRIMARY KEY,
  email  STRING UNIQUE,
  code   STRING,
  v      INT    NOT NULL VERSION
);
`);
    // A FOREIGN KEY before a column with REFERENCES: relationships are named in order (fk_x, fk_x_2).
    const refs = `CREATE MODEL t (id INT NOT NULL PRIMARY KEY, v INT NOT NULL VERSION);
CREATE MODEL a (id INT NOT NULL PRIMARY KEY, FOREIGN KEY (x) REFERENCES t, x INT REFERENCES t (id), v INT NOT NULL VERSION);
`;
    expect(fmtChecked(refs)).toContain('  FOREIGN KEY (x) REFERENCES t,\n  x   INT REFERENCES t (id),');
  });
});

describe('comments stay where they were written', () => {
  it('before and after models, on element lines, inside models and at the end of the file', () => {
    const input = `-- The file's header.

-- About a.
create model a ( -- the header line
  -- before id

  id int not null primary key, -- on id's line
  /* before v */ v int not null version /* after v */ -- and more
  -- before the closing parenthesis
) ; -- after a
-- before b
create model b (id int not null primary key, v int not null version);


-- at the end
/* block
   at the end */
`;
    expect(fmtChecked(input)).toBe(`-- The file's header.

-- About a.
CREATE MODEL a (  -- the header line
  -- before id

  id  INT NOT NULL PRIMARY KEY,  -- on id's line
  /* before v */
  v   INT NOT NULL VERSION  /* after v */ -- and more
  -- before the closing parenthesis
);  -- after a

-- before b
CREATE MODEL b (
  id  INT NOT NULL PRIMARY KEY,
  v   INT NOT NULL VERSION
);

-- at the end
/* block
   at the end */
`);
  });

  it('moves comments from between the words of an element or header to their own line before it', () => {
    const input = `CREATE /* c1 */ MODEL a (
  id /* c2 */ INT NOT NULL -- c3
    PRIMARY KEY,
  v INT NOT NULL VERSION
) /* c4 */ WITH HISTORY;
`;
    expect(fmtChecked(input)).toBe(`/* c1 */
/* c4 */
CREATE MODEL a (
  /* c2 */
  -- c3
  id  INT NOT NULL PRIMARY KEY,
  v   INT NOT NULL VERSION
) WITH HISTORY;
`);
  });

  it('moves a comment with the element it belongs to when elements are reordered', () => {
    const out = fmtChecked(`CREATE MODEL a (
  -- the key
  PRIMARY KEY (id),
  id INT NOT NULL, -- the id
  v INT NOT NULL VERSION
);`);
    expect(out).toBe(`CREATE MODEL a (
  id  INT NOT NULL,  -- the id
  v   INT NOT NULL VERSION,
  -- the key
  PRIMARY KEY (id)
);
`);
  });

  it('writes line ends as \\n and drops trailing spaces, in comments too', () => {
    const out = fmtChecked('-- a   \r\nCREATE MODEL a (id INT NOT NULL PRIMARY KEY, /* x  \r\n y */ v INT NOT NULL VERSION);\r\n');
    expect(out).not.toMatch(/\r| \n/);
    expect(out).toContain('  /* x\n y */\n  v ');
  });

  it('keeps a file of comments only, and an empty file empty', () => {
    expect(fmtChecked('\n\n-- one\n\n\n-- two  \n')).toBe('-- one\n\n-- two\n');
    expect(fmtChecked('')).toBe('');
    expect(fmtChecked('  \n\n')).toBe('');
  });
});

describe('files with syntax errors', () => {
  it('are not formatted, and their errors are reported', () => {
    const diagnostics = new Diagnostics();
    expect(formatSource({ path: 'bad.mdl', text: 'CREATE MODEL a (id INT,, v INT);' }, diagnostics)).toBeUndefined();
    expect(diagnostics.items.map((d) => d.code)).toContain('MDL1001');
  });
});

// ---- Every example and every test case ------------------------------------------------------

/** Each example is a project; each test case is a file, or a folder of files, beside its golden. */
const projects: [string, string[]][] = [
  ...readdirSync(join(root, 'examples'))
    .filter((d) => statSync(join(root, 'examples', d)).isDirectory())
    .map((d): [string, string[]] => [`examples/${d}`, mdlFiles(join(root, 'examples', d))]),
  ...readdirSync(join(root, 'tests/cases')).flatMap((group) =>
    readdirSync(join(root, 'tests/cases', group))
      .filter((e) => e.endsWith('.mdl') || statSync(join(root, 'tests/cases', group, e)).isDirectory())
      .map((e): [string, string[]] => {
        const p = join(root, 'tests/cases', group, e);
        return [`tests/cases/${group}/${e}`, statSync(p).isDirectory() ? mdlFiles(p) : [p]];
      }),
  ),
];

describe('every example and test case', () => {
  let formatted = 0;

  it.each(projects)('%s: idempotent, and the same IR and diagnostics after formatting', (name, files) => {
    const before = files.map((f) => ({ path: f.slice(root.length + 1), text: readFileSync(f, 'utf8') }));
    const results = before.map((s) => formatSource(s, new Diagnostics()));
    const after = before.map((s, i) => ({ ...s, text: results[i] ?? s.text }));
    for (const s of after.filter((_, i) => results[i] !== undefined)) {
      formatted++;
      expect(formatSource(s, new Diagnostics()), `${s.path} formatted twice`).toBe(s.text);
    }
    // A valid case (its golden is SQL) has no syntax error, so every file of it is formatted.
    if (name.startsWith('examples/') || existsSync(join(root, name.replace(/\.mdl$/, '') + '.sql'))) {
      expect(results.every((r) => r !== undefined)).toBe(true);
      expect(checkSources(after).ok, `${name} checks clean after formatting`).toBe(true);
    }
    expect(meaning(after)).toEqual(meaning(before));
  });

  it('formats most of them (the ones without syntax errors)', () => {
    expect(formatted).toBeGreaterThan(100);
  });

  it('finds the examples in the canonical layout already', () => {
    for (const [name, files] of projects.filter(([n]) => n.startsWith('examples/'))) {
      for (const f of files) expect(formatSource({ path: f, text: readFileSync(f, 'utf8') }, new Diagnostics()), `${name}: ${f}`).toBe(readFileSync(f, 'utf8'));
    }
  });
});

// ---- Generated models -----------------------------------------------------------------------

const COLUMN_NAMES = ['id', 'seq', 'name', 'version', 'key', 'time', 'comment', 'record', 'Amount', 'x_1', '"order line"', '"say ""hi"""', '"Primary"'];
const TYPES: string[][] = [
  ['string'], ['STRING'], ['Text'], ['varchar', '(', '20', ')'], ['VARCHAR', '(', '255', ')'], ['bigint'], ['Int'],
  ['smallint'], ['long'], ['decimal', '(', '12', ',', '2', ')'], ['DECIMAL', '(', '18', ')'], ['boolean'], ['date'],
  ['timestamp'], ['DateTime'], ['json'], ['double'], ['varchr'], ['"STRING"'],
];
const MODIFIERS: string[][] = [
  ['NOT', 'NULL'], ['null'], ['DEFAULT', '1'], ['default', "'x'"], ['default', 'NULL'], ['default', '-2.5'],
  ['Primary', 'Key'], ['version'], ['TimeStamp'], ['unique'], ['references', 'm0'],
  ['REFERENCES', 'm1', '(', 'id', ')', 'one', 'to', 'one', 'on', 'delete', 'cascade'],
  ['references', 'M0', 'many', 'to', 'one', 'on', 'delete', 'set', 'null'], ['comment', "'c'"], ['comment', "'it''s'"],
];
const OPTIONS: string[][] = [['behavior', 'record'], ['BEHAVIOR', 'TIME', 'SERIES'], ['with', 'history'], ['comment', "'m'"]];
const SEPARATORS = [' ', ' ', ' ', ' ', '\n  ', '\n', '\n\n', '\t', '/**/', ' /* b */ ', ' -- note\n', '\n-- own\n  ', '\n\n/* x\n  y */\n'];

const tableElements = (cols: readonly string[]): string[][] => {
  const [a, b = a!] = cols;
  return [
    ['PRIMARY', 'KEY', '(', a!, ')'],
    ['version', '(', b, ')'],
    ['unique', '(', a!, ',', b, ')'],
    ['Timestamp', '(', a!, ')'],
    ['unique', '(', b, ')'],
    ['foreign', 'key', '(', a!, ')', 'references', 'm0'],
    ['constraint', 'fk1', 'FOREIGN', 'KEY', '(', b, ')', 'references', 'm1', '(', 'id', ')', 'MANY', 'TO', 'ONE', 'ON', 'DELETE', 'NO', 'ACTION'],
  ];
};

const column = (name: string) =>
  fc
    .tuple(fc.constantFrom(...TYPES), fc.shuffledSubarray(MODIFIERS, { maxLength: 4 }))
    .map(([type, mods]) => [name, ...type, ...mods.flat()]);

const modelTokens = (name: string) =>
  fc
    .uniqueArray(fc.constantFrom(...COLUMN_NAMES), { minLength: 1, maxLength: 6, selector: (n) => n.toLowerCase() })
    .chain((names) =>
      fc.tuple(
        fc.tuple(...names.map(column)),
        fc.shuffledSubarray(tableElements(names), { maxLength: 4 }),
        fc.shuffledSubarray(OPTIONS, { maxLength: 3 }),
        fc.boolean(),
      ),
    )
    .chain(([columns, tables, options, ifNotExists]) => {
      const elements = [...columns, ...tables];
      return fc.shuffledSubarray(elements, { minLength: elements.length }).map((ordered) => [
        'create', 'model', ...(ifNotExists ? ['IF', 'not', 'Exists'] : []), name, '(',
        ...ordered.flatMap((el, i) => (i === 0 ? el : [',', ...el])),
        ')', ...options.flat(), ';',
      ]);
    });

const generatedFile = fc
  .tuple(
    fc.integer({ min: 1, max: 3 }),
    fc.array(fc.constantFrom(...SEPARATORS), { minLength: 97, maxLength: 97 }),
  )
  .chain(([n, separators]) =>
    fc.tuple(...['m0', 'M1', 'm2'].slice(0, n).map(modelTokens)).map((models) => {
      const tokens = models.flat();
      // Separators cycle through a prime-length list, so each token boundary gets its own.
      return separators[96] + tokens.map((t, i) => t + separators[i % 97]).join('');
    }),
  );

describe('properties over generated models', () => {
  it('formatting is idempotent and changes neither the IR nor the diagnostics', () => {
    fc.assert(
      fc.property(generatedFile, (text) => {
        fmtChecked(text);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

// ---- The command ----------------------------------------------------------------------------

describe('mdl fmt', () => {
  const output = { stdout: '', stderr: '' };
  afterEach(() => {
    vi.restoreAllMocks();
    output.stdout = '';
    output.stderr = '';
  });
  const runFmt = (args: string[]) => {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((output.stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((output.stderr += String(chunk)), true));
    return run(args);
  };

  const messy = 'create model a (id int not null primary key, v int not null version);\n';
  const tidy = 'CREATE MODEL b (\n  id  INT NOT NULL PRIMARY KEY,\n  v   INT NOT NULL VERSION\n);\n';
  const broken = 'CREATE MODEL c (id INT,, v INT);\n';

  it('rewrites the files that change, lists them, and leaves a file with syntax errors untouched', () => {
    const dir = project({ 'a.mdl': messy, 'b.mdl': tidy, 'sub/c.mdl': broken });
    expect(runFmt([dir])).toBe(1);
    expect(readFileSync(join(dir, 'a.mdl'), 'utf8')).toBe(fmt(messy));
    expect(readFileSync(join(dir, 'b.mdl'), 'utf8')).toBe(tidy);
    expect(readFileSync(join(dir, 'sub/c.mdl'), 'utf8')).toBe(broken);
    expect(output.stdout.trim().split('\n')).toEqual([expect.stringMatching(/a\.mdl$/)]);
    expect(output.stderr).toContain('MDL1001');
    expect(output.stderr).toMatch(/reformatted 1 of 3 files; 1 not formatted: .*c\.mdl\n$/);
  });

  it('exits 0 when every file could be formatted', () => {
    const dir = project({ 'a.mdl': messy, 'b.mdl': tidy });
    expect(runFmt([join(dir, 'a.mdl'), join(dir, 'b.mdl')])).toBe(0);
    expect(readFileSync(join(dir, 'a.mdl'), 'utf8')).toBe(fmt(messy));
  });

  it('--check writes nothing, names the files that would change and exits 1; 0 once formatted', () => {
    const dir = project({ 'a.mdl': messy, 'b.mdl': tidy });
    expect(runFmt([dir, '--check'])).toBe(1);
    expect(readFileSync(join(dir, 'a.mdl'), 'utf8')).toBe(messy);
    expect(output.stdout).toMatch(/a\.mdl\n$/);
    expect(output.stdout).not.toContain('b.mdl');
    expect(output.stderr).toContain('1 of 2 files would be reformatted');
    writeFileSync(join(dir, 'a.mdl'), fmt(messy)!);
    output.stdout = '';
    expect(runFmt([dir, '--check'])).toBe(0);
    expect(output.stdout).toBe('');
  });

  it('formats the .mdl files below the current directory when no path is given', () => {
    const dir = project({ 'models/a.mdl': messy, 'notes.txt': messy });
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(runFmt([])).toBe(0);
      expect(output.stdout).toBe('models/a.mdl\n');
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(join(dir, 'models/a.mdl'), 'utf8')).toBe(fmt(messy));
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe(messy);
  });

  it('reports a folder without .mdl files, and an unknown option as a usage error', () => {
    expect(runFmt([project({ 'x.txt': '' })])).toBe(1);
    expect(output.stderr).toContain('MDL5002');
    expect(() => runFmt(['--bogus'])).toThrow(UsageError);
    expect(() => runFmt(['-', 'a.mdl'])).toThrow(UsageError);
  });

  it("formats standard input to standard output with '-'", () => {
    const fmtModule = join(root, 'dist/cli/fmt.js');
    if (!existsSync(fmtModule)) throw new Error('run npm run build first');
    const script = `import(${JSON.stringify(fmtModule)}).then((m) => { process.exitCode = m.run(process.argv.slice(1)); });`;
    const once = spawnSync(process.execPath, ['-e', script, '-'], { input: messy, encoding: 'utf8' });
    expect(once.status).toBe(0);
    expect(once.stdout).toBe(fmt(messy));
    const check = spawnSync(process.execPath, ['-e', script, '-', '--check'], { input: messy, encoding: 'utf8' });
    expect(check.status).toBe(1);
    const bad = spawnSync(process.execPath, ['-e', script, '-'], { input: broken, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('MDL1001');
  });
});
