/**
 * A model's fingerprint (_mdl_models.source_hash) changes with its meaning and only with it.
 */

import { describe, expect, it } from 'vitest';
import { compileText } from '../src/index.js';

const BASE = `
CREATE MODEL account (
  id STRING NOT NULL,
  parent_id STRING,
  name VARCHAR(120) NOT NULL COMMENT 'display name',
  balance DECIMAL(12, 2) DEFAULT 0,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  seq BIGINT NOT NULL,
  PRIMARY KEY (id),
  VERSION (seq),
  UNIQUE (name),
  FOREIGN KEY (parent_id) REFERENCES account (id) MANY TO ONE ON DELETE SET NULL
) COMMENT 'customers';
`;

function fingerprint(text: string, path = 'm.mdl'): string {
  const r = compileText(text, path);
  expect(r.diagnostics, text).toEqual([]);
  const model = r.program!.models[0]!;
  expect(model.sourceHash).toMatch(/^[0-9a-f]{16}$/);
  return model.sourceHash;
}

describe('model fingerprints', () => {
  it('ignore layout, source comments, keyword case and the file', () => {
    const base = fingerprint(BASE);
    const relaid = BASE.replace(/\n {2}/g, '\n    ').replace(/ NOT NULL/g, '  not null').replace('CREATE MODEL', '-- hello\ncreate model');
    expect(fingerprint(relaid, 'elsewhere/other.mdl')).toBe(base);
    expect(fingerprint(`/* first */ ${BASE}`)).toBe(base);
  });

  it('change with every change of meaning, each to a different value', () => {
    const variants: Record<string, string> = {
      base: BASE,
      'model name case': BASE.replace('MODEL account', 'MODEL Account').replace('REFERENCES account', 'REFERENCES Account'),
      'column renamed': BASE.replace('  name VARCHAR', '  title VARCHAR').replace('UNIQUE (name)', 'UNIQUE (title)'),
      'type length': BASE.replace('VARCHAR(120)', 'VARCHAR(121)'),
      'type alias': BASE.replace('id STRING NOT NULL', 'id TEXT NOT NULL'),
      'decimal scale': BASE.replace('DECIMAL(12, 2)', 'DECIMAL(12, 3)'),
      'nullability': BASE.replace('active BOOLEAN NOT NULL', 'active BOOLEAN'),
      'default value': BASE.replace('DEFAULT 0', 'DEFAULT 1'),
      'default boolean': BASE.replace('DEFAULT TRUE', 'DEFAULT FALSE'),
      'default dropped': BASE.replace(' DEFAULT 0', ''),
      'column comment': BASE.replace("'display name'", "'shown name'"),
      'model comment': BASE.replace("'customers'", "'clients'"),
      'no model comment': BASE.replace(" COMMENT 'customers'", ''),
      'history': BASE.replace(") COMMENT 'customers'", ") WITH HISTORY COMMENT 'customers'"),
      'version column': BASE.replace('VERSION (seq)', 'VERSION (balance)').replace('balance DECIMAL(12, 2) DEFAULT 0', 'balance BIGINT NOT NULL'),
      'unique key dropped': BASE.replace('  UNIQUE (name),\n', ''),
      'on delete': BASE.replace('SET NULL', 'CASCADE'),
      'one to one': BASE.replace('  UNIQUE (name),', '  UNIQUE (name),\n  UNIQUE (parent_id),').replace('MANY TO ONE', 'ONE TO ONE'),
      'constraint name': BASE.replace('FOREIGN KEY (parent_id)', 'CONSTRAINT parent FOREIGN KEY (parent_id)'),
      'column order': BASE.replace('  active BOOLEAN NOT NULL DEFAULT TRUE,\n  seq BIGINT NOT NULL,', '  seq BIGINT NOT NULL,\n  active BOOLEAN NOT NULL DEFAULT TRUE,'),
    };
    const seen = new Map<string, string>();
    for (const [what, text] of Object.entries(variants)) {
      const f = fingerprint(text);
      expect(seen.get(f), `${what} has the same fingerprint as ${seen.get(f)}`).toBeUndefined();
      seen.set(f, what);
    }
  });
});
