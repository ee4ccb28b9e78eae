/** Kinds of JavaScript source that are not code: braces in them are not syntax. */
export type JsRegionKind = "string" | "template" | "comment" | "regex";

/** A range `[start, end)` of a script that is a literal or a comment, not code. */
export interface JsRegion {
  kind: JsRegionKind;
  start: number;
  end: number;
}

// Keywords after which a `/` starts a regular expression rather than a division.
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "await",
  "case",
  "delete",
  "do",
  "else",
  "in",
  "instanceof",
  "new",
  "of",
  "return",
  "throw",
  "typeof",
  "void",
  "yield",
]);

// Character codes, named for readability in the scanner below.
const Char = {
  Tab: 9,
  LineFeed: 10,
  CarriageReturn: 13,
  Space: 32,
  Bang: 33,
  DoubleQuote: 34,
  Dollar: 36,
  SingleQuote: 39,
  CloseParen: 41,
  Star: 42,
  Minus: 45,
  Dot: 46,
  Slash: 47,
  Zero: 48,
  Nine: 57,
  LessThan: 60,
  GreaterThan: 62,
  UpperA: 65,
  UpperZ: 90,
  OpenBracket: 91,
  Backslash: 92,
  CloseBracket: 93,
  Underscore: 95,
  Backtick: 96,
  LowerA: 97,
  LowerZ: 122,
  OpenBrace: 123,
  CloseBrace: 125,
} as const;

function isIdentifierChar(c: number): boolean {
  return (
    (c >= Char.LowerA && c <= Char.LowerZ) ||
    (c >= Char.UpperA && c <= Char.UpperZ) ||
    (c >= Char.Zero && c <= Char.Nine) ||
    c === Char.Underscore ||
    c === Char.Dollar ||
    c > 0x7f
  );
}

function isLineBreak(c: number): boolean {
  return c === Char.LineFeed || c === Char.CarriageReturn || c === 0x2028 || c === 0x2029;
}

/**
 * Finds the string literals, template literal texts, comments and regular expressions of a
 * script, so that template braces can be told apart: in code they are syntax (or broken),
 * in a string they are data, in a comment they are nothing.
 *
 * This is a lexer, not a parser: it must work on scripts that do not parse (that is the
 * point), so it recovers at line ends from unterminated literals and guesses regex-versus-
 * division from the previous token, the way editors highlight. Template literal
 * substitutions (`${ … }`) are followed to any depth.
 *
 * @param source The script text.
 * @param htmlComments Treat `<!--` and a line-leading `-->` as line comments, as browsers do in
 *   classic (non-module) scripts.
 * @returns The non-code regions, in source order, not overlapping.
 */
export function scanJsRegions(source: string, htmlComments: boolean): JsRegion[] {
  const regions: JsRegion[] = [];
  const length = source.length;
  // One entry per open `${`: the depth of `{` nesting inside that substitution.
  const substitutions: number[] = [];
  let regexAllowed = true;
  let atLineStart = true;
  let i = 0;

  const lineEnd = (from: number): number => {
    let j = from;
    while (j < length && !isLineBreak(source.charCodeAt(j))) j++;
    return j;
  };

  // Scans template text from `from` (just after "`" or the "}" closing a substitution).
  const scanTemplateText = (from: number, regionStart: number): number => {
    let j = from;
    while (j < length) {
      const c = source.charCodeAt(j);
      if (c === Char.Backslash) {
        j += 2;
      } else if (c === Char.Backtick) {
        regions.push({ kind: "template", start: regionStart, end: j + 1 });
        return j + 1;
      } else if (c === Char.Dollar && source.charCodeAt(j + 1) === Char.OpenBrace) {
        regions.push({ kind: "template", start: regionStart, end: j + 2 });
        substitutions.push(0);
        return j + 2;
      } else {
        j++;
      }
    }
    regions.push({ kind: "template", start: regionStart, end: length });
    return length;
  };

  while (i < length) {
    const c = source.charCodeAt(i);
    const next = source.charCodeAt(i + 1);

    if (isLineBreak(c)) {
      atLineStart = true;
      i++;
      continue;
    }
    if (
      c === Char.Space ||
      c === Char.Tab ||
      c === 0xa0 ||
      c === 0xfeff ||
      c === 0x0b ||
      c === 0x0c
    ) {
      i++;
      continue;
    }

    // Comments.
    if (c === Char.Slash && next === Char.Slash) {
      const end = lineEnd(i);
      regions.push({ kind: "comment", start: i, end });
      i = end;
      continue;
    }
    if (c === Char.Slash && next === Char.Star) {
      const close = source.indexOf("*/", i + 2);
      const end = close === -1 ? length : close + 2;
      regions.push({ kind: "comment", start: i, end });
      i = end;
      continue;
    }
    if (htmlComments && c === Char.LessThan && source.startsWith("<!--", i)) {
      const end = lineEnd(i);
      regions.push({ kind: "comment", start: i, end });
      i = end;
      continue;
    }
    if (htmlComments && atLineStart && c === Char.Minus && source.startsWith("-->", i)) {
      const end = lineEnd(i);
      regions.push({ kind: "comment", start: i, end });
      i = end;
      continue;
    }
    atLineStart = false;

    // String literals end at their quote, or (unterminated) at the end of the line.
    if (c === Char.DoubleQuote || c === Char.SingleQuote) {
      let j = i + 1;
      while (j < length) {
        const d = source.charCodeAt(j);
        if (d === c) {
          j++;
          break;
        }
        if (d === Char.Backslash) {
          j += 2;
          continue;
        }
        if (d === Char.LineFeed || d === Char.CarriageReturn) break;
        j++;
      }
      regions.push({ kind: "string", start: i, end: Math.min(j, length) });
      i = Math.min(j, length);
      regexAllowed = false;
      continue;
    }

    if (c === Char.Backtick) {
      i = scanTemplateText(i + 1, i);
      regexAllowed = false;
      continue;
    }

    if (c === Char.Slash && regexAllowed) {
      let j = i + 1;
      let inClass = false;
      while (j < length) {
        const d = source.charCodeAt(j);
        if (isLineBreak(d)) break;
        if (d === Char.Backslash) {
          j += 2;
          continue;
        }
        if (d === Char.OpenBracket) inClass = true;
        else if (d === Char.CloseBracket) inClass = false;
        else if (d === Char.Slash && !inClass) {
          j++;
          while (j < length && isIdentifierChar(source.charCodeAt(j))) j++;
          break;
        }
        j++;
      }
      regions.push({ kind: "regex", start: i, end: Math.min(j, length) });
      i = Math.min(j, length);
      regexAllowed = false;
      continue;
    }

    if (isIdentifierChar(c) || (c === Char.Dot && next >= Char.Zero && next <= Char.Nine)) {
      // An identifier, keyword or number (numbers may hold dots: 1.5, .5).
      const isNumber = c === Char.Dot || (c >= Char.Zero && c <= Char.Nine);
      let j = i + 1;
      while (j < length) {
        const d = source.charCodeAt(j);
        if (!isIdentifierChar(d) && !(isNumber && d === Char.Dot)) break;
        j++;
      }
      const word = source.slice(i, j);
      regexAllowed = KEYWORDS_BEFORE_EXPRESSION.has(word);
      i = j;
      continue;
    }

    if (c === Char.OpenBrace) {
      const depth = substitutions.length;
      if (depth > 0) substitutions[depth - 1] = (substitutions[depth - 1] ?? 0) + 1;
      regexAllowed = true;
      i++;
      continue;
    }
    if (c === Char.CloseBrace) {
      const depth = substitutions.length;
      if (depth > 0) {
        const inner = substitutions[depth - 1] ?? 0;
        if (inner === 0) {
          // This brace closes a `${`: back to template text, which starts at the brace.
          substitutions.pop();
          i = scanTemplateText(i + 1, i);
          regexAllowed = false;
          continue;
        }
        substitutions[depth - 1] = inner - 1;
      }
      regexAllowed = true;
      i++;
      continue;
    }

    // Any other punctuator. After `)` and `]` a slash divides; after the rest it starts a regex.
    regexAllowed = c !== Char.CloseParen && c !== Char.CloseBracket;
    if (c === Char.Bang || c === Char.GreaterThan) regexAllowed = true;
    i++;
  }
  return regions;
}

/** The region containing `offset`, by binary search over the sorted regions of {@link scanJsRegions}. */
export function regionAt(regions: readonly JsRegion[], offset: number): JsRegion | undefined {
  let low = 0;
  let high = regions.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const region = regions[middle] as JsRegion;
    if (offset < region.start) high = middle - 1;
    else if (offset >= region.end) low = middle + 1;
    else return region;
  }
  return undefined;
}
