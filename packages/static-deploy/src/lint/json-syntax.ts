/** Where and why a text is not JSON. */
export interface JsonSyntaxError {
  /** Offset (UTF-16) of the offending character. */
  offset: number;
  message: string;
}

/**
 * Checks that `text` is one JSON value (RFC 8259), surrounding whitespace allowed. Unlike
 * `JSON.parse`, it always tells where the problem is, and it uses no recursion, so deeply
 * nested input cannot overflow the stack.
 *
 * @returns `undefined` when the text is JSON.
 */
export function checkJsonSyntax(text: string): JsonSyntaxError | undefined {
  // Each entry: what the open container expects next.
  const stack: Array<"object" | "array"> = [];
  let i = skipWhitespace(text, 0);
  // States: "value" expects a value; "after" expects `,` / closer / end.
  let state: "value" | "after" = "value";

  const fail = (offset: number, expected: string): JsonSyntaxError => {
    if (offset >= text.length)
      return { offset: text.length, message: `Unexpected end of JSON, expected ${expected}` };
    const found = text[offset] === "\n" ? "a line break" : `'${text[offset]}'`;
    return { offset, message: `Unexpected ${found}, expected ${expected}` };
  };

  while (true) {
    if (state === "value") {
      const c = text.charCodeAt(i);
      if (c === 123 /* { */) {
        i = skipWhitespace(text, i + 1);
        if (text.charCodeAt(i) === 125 /* } */) {
          i = skipWhitespace(text, i + 1);
          state = "after";
          continue;
        }
        stack.push("object");
        const key = readKey(text, i);
        if (typeof key !== "number") return key;
        i = key;
        continue;
      }
      if (c === 91 /* [ */) {
        i = skipWhitespace(text, i + 1);
        if (text.charCodeAt(i) === 93 /* ] */) {
          i = skipWhitespace(text, i + 1);
          state = "after";
          continue;
        }
        stack.push("array");
        continue;
      }
      const end = scanScalar(text, i);
      if (end === undefined) return fail(i, "a value");
      if (typeof end !== "number") return end;
      i = skipWhitespace(text, end);
      state = "after";
      continue;
    }

    const top = stack[stack.length - 1];
    if (top === undefined) {
      return i >= text.length ? undefined : fail(i, "the end of the JSON");
    }
    const c = text.charCodeAt(i);
    if (c === 44 /* , */) {
      i = skipWhitespace(text, i + 1);
      if (top === "object") {
        const key = readKey(text, i);
        if (typeof key !== "number") return key;
        i = key;
      }
      state = "value";
      continue;
    }
    if ((top === "object" && c === 125) || (top === "array" && c === 93)) {
      stack.pop();
      i = skipWhitespace(text, i + 1);
      continue;
    }
    return fail(i, top === "object" ? "',' or '}'" : "',' or ']'");
  }

  // Reads `"key" :` at `at`; returns the offset of the value, or the error.
  function readKey(source: string, at: number): number | JsonSyntaxError {
    if (source.charCodeAt(at) !== 34) return fail(at, "a property name in double quotes");
    const end = scanString(source, at);
    if (typeof end !== "number") return end;
    const colon = skipWhitespace(source, end);
    if (source.charCodeAt(colon) !== 58 /* : */) return fail(colon, "':'");
    return skipWhitespace(source, colon + 1);
  }
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

// The end of the string, number or literal at `at`; undefined when none starts there.
function scanScalar(text: string, at: number): number | JsonSyntaxError | undefined {
  const c = text.charCodeAt(at);
  if (c === 34) return scanString(text, at);
  for (const literal of ["true", "false", "null"]) {
    if (text.startsWith(literal, at)) return at + literal.length;
  }
  if (c === 45 || (c >= 48 && c <= 57)) {
    NUMBER.lastIndex = at;
    if (NUMBER.test(text)) return NUMBER.lastIndex;
    return { offset: at, message: "Invalid number" };
  }
  return undefined;
}

function scanString(text: string, at: number): number | JsonSyntaxError {
  let i = at + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92 /* \ */) {
      const escaped = text[i + 1];
      if (escaped === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          return { offset: i, message: "Invalid \\u escape in string" };
        }
        i += 6;
        continue;
      }
      if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) {
        return { offset: i, message: "Invalid escape in string" };
      }
      i += 2;
      continue;
    }
    if (c < 0x20) return { offset: i, message: "Unescaped control character in string" };
    i++;
  }
  return { offset: at, message: "Unterminated string" };
}
