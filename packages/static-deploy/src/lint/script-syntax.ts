import { parse } from "acorn";

/** Where and why a script does not parse. */
export interface ScriptSyntaxError {
  /** Offset (UTF-16) in the script. */
  offset: number;
  message: string;
}

type Verdict = ScriptSyntaxError | null;

// Sites repeat the same inline scripts on every page (analytics, consent, theme switchers):
// remember verdicts for short scripts. Bounded, and simply emptied when full.
const CACHE_LIMIT = 4096;
const CACHEABLE_LENGTH = 16 * 1024;
const caches = { classic: new Map<string, Verdict>(), module: new Map<string, Verdict>() };

/**
 * Parses an inline script with acorn (latest ECMAScript; `script` or `module` goal).
 *
 * @returns `undefined` when it parses, else the parser's message and offset.
 */
export function checkScriptSyntax(
  source: string,
  kind: "classic" | "module",
): ScriptSyntaxError | undefined {
  const cacheable = source.length <= CACHEABLE_LENGTH;
  const cache = caches[kind];
  if (cacheable) {
    const known = cache.get(source);
    if (known !== undefined) return known ?? undefined;
  }
  const verdict = parseVerdict(source, kind);
  if (cacheable) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, verdict);
  }
  return verdict ?? undefined;
}

function parseVerdict(source: string, kind: "classic" | "module"): Verdict {
  try {
    parse(source, {
      ecmaVersion: "latest",
      sourceType: kind === "module" ? "module" : "script",
      allowHashBang: false,
    });
    return null;
  } catch (error) {
    if (error instanceof RangeError) {
      // acorn is recursive: absurdly deep nesting exhausts the stack. Browsers give up too.
      return { offset: 0, message: "too deeply nested to parse" };
    }
    if (error instanceof SyntaxError) {
      const position = (error as SyntaxError & { pos?: number }).pos ?? 0;
      // acorn appends " (line:column)" relative to the script; the caller reports file positions.
      return { offset: position, message: error.message.replace(/ \(\d+:\d+\)$/, "") };
    }
    throw error;
  }
}
