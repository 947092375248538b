/**
 * Text written out as UTF-8 through one reused buffer.
 *
 * A compiled script comes as thousands of pieces (one per model, tens of megabytes in all):
 * encoding each into a buffer of its own and writing it with a call of its own cost more than
 * making the text. Here pieces are encoded into one buffer, written whenever it is full.
 */

import { writeSync } from 'node:fs';

const BUFFER_BYTES = 1 << 20;

/**
 * Encodes the pieces in order and hands the bytes to `write` in runs of up to about a megabyte
 * (the same buffer each time: `write` must be done with it when it returns). Returns the bytes.
 */
export function encodeText(pieces: Iterable<string>, write: (bytes: Buffer, length: number) => void): number {
  const buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = 0;
  let total = 0;
  for (const piece of pieces) {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const most = piece.length * 3;
    if (used + most > BUFFER_BYTES && used > 0) {
      write(buffer, used);
      total += used;
      used = 0;
    }
    if (most > BUFFER_BYTES) {
      const bytes = Buffer.from(piece, 'utf8');
      write(bytes, bytes.length);
      total += bytes.length;
    } else {
      used += buffer.write(piece, used);
    }
  }
  if (used > 0) {
    write(buffer, used);
    total += used;
  }
  return total;
}

/** Writes the pieces to a file descriptor, synchronously. */
export function writeTextSync(fd: number, pieces: Iterable<string>): number {
  return encodeText(pieces, (bytes, length) => {
    for (let done = 0; done < length; ) done += writeSync(fd, bytes, done, length - done);
  });
}
