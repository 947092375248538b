/**
 * A model's fingerprint: a 64-bit hash of its definition, recorded in _mdl_models.source_hash.
 *
 * It tells a later `mdl push` whether a model changed since the mirror was built. Layout,
 * comments in the source and file moves do not change it (spans are left out); any change of
 * meaning does: names, types as declared, nullability, defaults, column and model COMMENTs, keys,
 * behavior, history and relationships.
 *
 * It detects change; it is not a defence against anyone forging a collision, so it need not be
 * cryptographic. It is computed field by field, with no intermediate text: a schema of thousands
 * of models is fingerprinted in a few milliseconds, where serialising each model to JSON for
 * SHA-256 cost more than generating its SQL. Each field is fed with its length first, so that no
 * two different definitions feed the same sequence ("ab" + "c" is not "a" + "bc").
 */

import { assertNever, type ColumnType, type DefaultValue, type Model } from '../ir.js';

/** Bumped whenever the fields fed or their order change: a new fingerprint for every model. */
const FINGERPRINT_VERSION = 1;

class Hash64 {
  // Two independent 32-bit lanes (FNV-1a's offset basis and a second seed), each mixed with its
  // own odd multiplier, finished with MurmurHash3's avalanche.
  private a = 0x811c9dc5;
  private b = 0x2f6b3a5d;

  int(n: number): this {
    this.a = Math.imul(this.a ^ n, 0x01000193);
    this.b = Math.imul(this.b ^ n, 0x5bd1e995);
    this.b ^= this.b >>> 13;
    return this;
  }

  text(s: string | null): this {
    if (s === null) return this.int(-1);
    // int() for the length and then each code unit, with the lanes kept in locals (the loop runs
    // for every character of a schema).
    let a = this.a;
    let b = this.b;
    for (let i = -1; i < s.length; i++) {
      const n = i < 0 ? s.length : s.charCodeAt(i);
      a = Math.imul(a ^ n, 0x01000193);
      b = Math.imul(b ^ n, 0x5bd1e995);
      b ^= b >>> 13;
    }
    this.a = a;
    this.b = b;
    return this;
  }

  list(items: readonly string[]): this {
    this.int(items.length);
    for (const s of items) this.text(s);
    return this;
  }

  hex(): string {
    const a = avalanche(this.a ^ Math.imul(this.b, 0x27d4eb2d));
    const b = avalanche(this.b ^ Math.imul(a, 0x165667b1));
    return hex32(a) + hex32(b);
  }
}

/** Two hex digits for each byte value. */
const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A 32-bit value as eight hex digits (what (h >>> 0).toString(16).padStart(8, '0') gives). */
function hex32(h: number): string {
  return HEX_BYTES[(h >>> 24) & 0xff]! + HEX_BYTES[(h >>> 16) & 0xff]! + HEX_BYTES[(h >>> 8) & 0xff]! + HEX_BYTES[h & 0xff]!;
}

function avalanche(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export function modelFingerprint(model: Model): string {
  const h = new Hash64().int(FINGERPRINT_VERSION);
  h.text(model.name).text(model.behavior).int(model.history ? 1 : 0).text(model.comment);
  h.int(model.columns.length);
  for (const c of model.columns) {
    h.text(c.name).int(c.notNull ? 1 : 0).text(c.comment);
    feedType(h, c.type);
    feedDefault(h, c.default);
  }
  h.list(model.primaryKey?.columns ?? []).text(model.version?.column ?? null).text(model.timestamp?.column ?? null);
  h.int(model.uniqueKeys.length);
  for (const u of model.uniqueKeys) h.list(u.columns);
  h.int(model.relationships.length);
  for (const r of model.relationships) {
    h.text(r.name).list(r.columns).text(r.target).list(r.targetColumns);
    h.text(r.cardinality).text(r.onDelete).text(r.notation);
  }
  return h.hex();
}

function feedType(h: Hash64, t: ColumnType): void {
  // The spelling carries the arguments (VARCHAR(120), DECIMAL(12, 2)) and the alias used.
  h.text(t.kind).text(t.spelled);
  switch (t.kind) {
    case 'string':
      h.int(t.maxLength ?? -1);
      return;
    case 'integer':
      h.int(t.bits);
      return;
    case 'decimal':
      h.int(t.precision).int(t.scale);
      return;
    case 'double':
    case 'boolean':
    case 'date':
    case 'timestamp':
    case 'json':
    case 'unknown':
      return;
    default:
      assertNever(t);
  }
}

function feedDefault(h: Hash64, d: DefaultValue | null): void {
  if (d === null) {
    h.int(-1);
    return;
  }
  h.text(d.kind);
  switch (d.kind) {
    case 'string':
      h.text(d.value);
      return;
    case 'number':
      h.text(d.text);
      return;
    case 'boolean':
      h.int(d.value ? 1 : 0);
      return;
    case 'null':
      return;
    default:
      assertNever(d);
  }
}
