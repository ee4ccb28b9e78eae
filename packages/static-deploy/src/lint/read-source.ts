import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";
import { describeIoError } from "../io-error.js";
import type { SkippedFile } from "../types.js";

/** A file read for linting: its text, or why it is skipped. */
export type SourceRead = { text: string } | { skipped: SkippedFile };

// Git's heuristic: a NUL byte in the first 8000 bytes means binary.
const BINARY_PROBE = 8000;

/**
 * Reads a file as UTF-8 text, refusing what is not: binary files (a NUL byte early on) and
 * invalid UTF-8 (decoding would silently replace bytes, and a fix would then corrupt them).
 * A byte order mark is kept, so a fixed file is written back byte for byte.
 *
 * Synchronous on purpose: site pages are small and local, and measured here `readFileSync` reads
 * a 20 MB corpus 8 to 15 times faster than `fs.promises.readFile`, whose per-file overhead was a
 * quarter of the lint's time.
 */
export function readSource(file: string): SourceRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    // Only the file system's own errors mean "unreadable"; anything else is a bug to surface.
    if (typeof (error as { code?: unknown }).code !== "string") throw error;
    return {
      skipped: { file, reason: "unreadable", message: `cannot read: ${describeIoError(error)}` },
    };
  }
  if (bytes.subarray(0, BINARY_PROBE).includes(0)) {
    return { skipped: { file, reason: "binary", message: "binary file (contains NUL bytes)" } };
  }
  if (!isUtf8(bytes)) {
    const offset = firstInvalidUtf8(bytes);
    const line = countLines(bytes, offset);
    return {
      skipped: {
        file,
        reason: "invalid-utf8",
        message: `invalid UTF-8 at line ${line} (byte ${offset}); convert the file to UTF-8`,
      },
    };
  }
  return { text: bytes.toString("utf8") };
}

/** Offset of the first byte that does not belong to a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let length: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + length > bytes.length) return i;
    let codePoint = b & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const continuation = bytes[i + k] as number;
      if ((continuation & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (continuation & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff))
      return i;
    i += length;
  }
  return bytes.length;
}

function countLines(bytes: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) if (bytes[i] === 10) line++;
  return line;
}
