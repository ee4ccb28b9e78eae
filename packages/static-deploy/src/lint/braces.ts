import { type JsRegion, regionAt } from "./js-regions.js";

/** A run of template-brace syntax found in a text: `{{ … }}`, or a lone `{{` / `}}`. */
export interface BraceMatch {
  /** `pair` is `{{ … }}` (or `{{{ … }}}`); `open` and `close` are a lone doubled brace. */
  kind: "pair" | "open" | "close";
  start: number;
  end: number;
  /** For pairs, the text between the braces, untrimmed. */
  inner: string;
}

/** Where braces were found in a script: in code (errors) or in string literals (warnings). */
export interface ScriptBraces {
  code: BraceMatch[];
  strings: BraceMatch[];
}

// A template expression longer than this is more likely two unrelated braces than one `{{ x }}`.
const MAX_PAIR_LENGTH = 1000;

/**
 * Finds `{{ … }}` pairs in `text[from, to)`: the opening `{{`, the nearest `}}` after it with no
 * other `{{` in between. Used for markup, where lone braces mean nothing.
 */
export function findBracePairs(text: string, from: number, to: number): BraceMatch[] {
  const pairs: BraceMatch[] = [];
  let open = text.indexOf("{{", from);
  while (open !== -1 && open < to) {
    const pair = pairAt(text, open, Math.min(to, open + MAX_PAIR_LENGTH));
    if (pair === undefined) {
      open = text.indexOf("{{", open + 2);
      continue;
    }
    pairs.push(pair);
    open = text.indexOf("{{", pair.end);
  }
  return pairs;
}

/**
 * Finds template braces in a script and sorts them by where they stand:
 *
 * - In code, `{{ … }}` on one line is an unrendered expression. A `{{` with no `}}` after it on
 *   its line is a doubled brace (Python's `str.format` escapes `{` as `{{`): valid JavaScript
 *   almost never holds one. Once a script has such a `{{`, its lone `}}` are doubled braces too;
 *   without one they are not reported, because `}}` closes two blocks in ordinary minified code.
 * - In a string or template literal, only `{{ … }}` within that one literal counts.
 * - Comments and regular expressions are ignored (`/{{(\w+)}}/` is client-side templating).
 */
export function findScriptBraces(script: string, regions: readonly JsRegion[]): ScriptBraces {
  const code: BraceMatch[] = [];
  const strings: BraceMatch[] = [];
  let hasLoneOpen = false;

  let open = script.indexOf("{{");
  while (open !== -1) {
    const region = regionAt(regions, open);
    if (region === undefined) {
      const pair = pairAt(script, open, lineEndOf(script, open));
      if (pair !== undefined && regionAt(regions, pair.end - 2) === undefined) {
        code.push(pair);
        open = script.indexOf("{{", pair.end);
        continue;
      }
      code.push({ kind: "open", start: open, end: open + 2, inner: "" });
      hasLoneOpen = true;
      open = script.indexOf("{{", open + 2);
      continue;
    }
    if (region.kind === "string" || region.kind === "template") {
      const pair = pairAt(script, open, region.end);
      if (pair !== undefined) {
        strings.push(pair);
        open = script.indexOf("{{", pair.end);
        continue;
      }
    }
    open = script.indexOf("{{", open + 2);
  }

  if (hasLoneOpen) {
    const pairs = code.filter((match) => match.kind === "pair");
    let close = script.indexOf("}}");
    while (close !== -1) {
      const inPair = pairs.some((pair) => close >= pair.start && close < pair.end);
      if (!inPair && regionAt(regions, close) === undefined) {
        code.push({ kind: "close", start: close, end: close + 2, inner: "" });
        close = script.indexOf("}}", close + 2);
      } else {
        close = script.indexOf("}}", close + 1);
      }
    }
    code.sort((a, b) => a.start - b.start);
  }
  return { code, strings };
}

/** The `{{ … }}` (or `{{{ … }}}`) starting at `open` and ending before `limit`, if any. */
function pairAt(text: string, open: number, limit: number): BraceMatch | undefined {
  const triple = text.charCodeAt(open + 2) === 123; // `{{{ raw }}}` (Mustache, Handlebars)
  const innerStart = open + (triple ? 3 : 2);
  const close = text.indexOf("}}", innerStart);
  if (close === -1 || close + 2 > limit) return undefined;
  const nextOpen = text.indexOf("{{", innerStart);
  if (nextOpen !== -1 && nextOpen < close) return undefined;
  const end = triple && text.charCodeAt(close + 2) === 125 ? close + 3 : close + 2;
  return { kind: "pair", start: open, end, inner: text.slice(innerStart, close) };
}

function lineEndOf(text: string, from: number): number {
  const newline = text.indexOf("\n", from);
  return newline === -1 ? text.length : newline;
}
