/** A 1-based line and column (UTF-16 code units). */
export interface Position {
  line: number;
  column: number;
}

// Minified pages put a whole site on one line: a snippet keeps this much around the finding.
const SNIPPET_MAX = 240;

/**
 * Maps offsets of a document to lines and columns. Line starts are computed on the first
 * question, so a clean file (most of them) never pays for it. `\n`, `\r\n` and a lone `\r` end a
 * line, as in browsers and editors; a leading byte order mark takes no column.
 */
export class LineIndex {
  readonly #source: string;
  #lineStarts: number[] | undefined;

  constructor(source: string) {
    this.#source = source;
  }

  /** The position of `offset` (clamped to the document). */
  position(offset: number): Position {
    const starts = this.#starts();
    const clamped = Math.max(0, Math.min(offset, this.#source.length));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((starts[middle] as number) <= clamped) low = middle;
      else high = middle - 1;
    }
    const lineStart = starts[low] as number;
    const bom = low === 0 && this.#source.charCodeAt(0) === 0xfeff && clamped > 0 ? 1 : 0;
    return { line: low + 1, column: clamped - lineStart + 1 - bom };
  }

  /** The text of a 1-based line, without its line break (and without a byte order mark). */
  lineText(line: number): string {
    const starts = this.#starts();
    const start = starts[line - 1] ?? this.#source.length;
    let end = starts[line] ?? this.#source.length;
    while (end > start && isBreak(this.#source.charCodeAt(end - 1))) end--;
    const text = this.#source.slice(start, end);
    return line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /** The line of `position` for display, cut to a window around its column when very long. */
  snippet(position: Position): string {
    const text = this.lineText(position.line);
    if (text.length <= SNIPPET_MAX) return text;
    const from = Math.max(
      0,
      Math.min(position.column - 1 - SNIPPET_MAX / 3, text.length - SNIPPET_MAX),
    );
    const window = text.slice(from, from + SNIPPET_MAX);
    return `${from > 0 ? "…" : ""}${window}${from + SNIPPET_MAX < text.length ? "…" : ""}`;
  }

  #starts(): number[] {
    if (this.#lineStarts !== undefined) return this.#lineStarts;
    const source = this.#source;
    const starts = [0];
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (source.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.#lineStarts = starts;
    return starts;
  }
}

function isBreak(c: number): boolean {
  return c === 10 || c === 13;
}
