// Types for fuzz-linear.js (plain JavaScript, so that scripts/fuzz.js runs it with node).

export declare const KIB: number;
export declare const MIB: number;

export interface MdlInput {
  readonly name: string;
  make(size: number): string;
  /** An error every few characters: timed at smaller sizes in CI. */
  readonly dense?: boolean;
  /** Named in the issue: timed at 1 MB in CI too. */
  readonly required?: boolean;
}

export interface ReaderInput {
  readonly name: string;
  bytes?(size: number): Buffer;
  text?(size: number): string;
  readonly required?: boolean;
}

export interface FieldInput {
  readonly name: string;
  make(size: number): string;
}

export declare const MDL_INPUTS: readonly MdlInput[];
export declare const READER_INPUTS: readonly ReaderInput[];
export declare const FIELD_INPUTS: readonly FieldInput[];

export interface Scaling {
  readonly ok: boolean;
  readonly smallMs: number;
  readonly largeMs: number;
  readonly ratio: number;
}

export declare function measureScaling<T>(
  run: (input: T) => unknown,
  make: (size: number) => T,
  small: number,
  options?: { ratio?: number; floorMs?: number; attempts?: number },
): Scaling;
