import { describe, expect, it } from "vitest";
import { checkJsonSyntax } from "./json-syntax.js";

describe("checkJsonSyntax", () => {
  const samples = [
    "{}",
    "[]",
    ' { "a" : [1, -2.5e+3, true, false, null, "s\\n\\u00e9"] } ',
    '{"@context":"https://schema.org","@type":"Organization","name":"Jada"}',
    '"just a string"',
    "0",
    "{,}",
    "[1,]",
    '{"a":1,}',
    '{"a" 1}',
    "{'a':1}",
    "{{ data }}",
    '{"a": {{ x }} }',
    "[1 2]",
    '"unterminated',
    '"bad \\x escape"',
    "01",
    "1.",
    "-",
    "tru",
    "nul",
    '{"a":1}}',
    "",
    "   ",
    '"tab\there"',
    "[[[[[[]]]]]]",
    '{"a":[{"b":{}}]}',
  ];

  it.each(samples)("agrees with JSON.parse on %j", (text) => {
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    expect(checkJsonSyntax(text) === undefined).toBe(valid);
  });

  it("points at the offending character", () => {
    expect(checkJsonSyntax('{"a": {{ x }} }')).toMatchObject({ offset: 7 });
    expect(checkJsonSyntax("[1,]")).toMatchObject({ offset: 3 });
    expect(checkJsonSyntax('{"a":1,}')?.message).toMatch(/property name/);
    expect(checkJsonSyntax("[1")).toMatchObject({
      offset: 2,
      message: expect.stringMatching(/end of JSON/),
    });
  });

  it("survives nesting far deeper than any stack", () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    expect(checkJsonSyntax(deep)).toBeUndefined();
    expect(checkJsonSyntax(`${"[".repeat(200_000)}`)).toBeDefined();
  });
});
