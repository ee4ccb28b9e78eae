import { describe, expect, it } from "vitest";
import { regionAt, scanJsRegions } from "./js-regions.js";

function kindAt(source: string, needle: string, htmlComments = true): string {
  const offset = source.indexOf(needle);
  if (offset === -1) throw new Error(`needle ${needle} not in source`);
  return regionAt(scanJsRegions(source, htmlComments), offset)?.kind ?? "code";
}

describe("scanJsRegions", () => {
  it("tells strings, comments and code apart", () => {
    const source = `var a = "x{{"; var b = 'y{{'; // c{{\n/* d{{ */ e{{`;
    expect(kindAt(source, "x{{")).toBe("string");
    expect(kindAt(source, "y{{")).toBe("string");
    expect(kindAt(source, "c{{")).toBe("comment");
    expect(kindAt(source, "d{{")).toBe("comment");
    expect(kindAt(source, "e{{")).toBe("code");
  });

  it("handles escapes inside strings", () => {
    const source = `var a = "q\\"{{"; b{{`;
    expect(kindAt(source, `q\\"{{`)).toBe("string");
    expect(kindAt(source, "b{{")).toBe("code");
  });

  it("follows template literal substitutions to any depth", () => {
    const source = "`t1 ${ a + `t2 ${ {k: 1}.k } t3` } t4` code";
    expect(kindAt(source, "t1")).toBe("template");
    expect(kindAt(source, "a +")).toBe("code");
    expect(kindAt(source, "t2")).toBe("template");
    expect(kindAt(source, "k: 1")).toBe("code");
    expect(kindAt(source, "t3")).toBe("template");
    expect(kindAt(source, "t4")).toBe("template");
    expect(kindAt(source, "code")).toBe("code");
  });

  it("tells a regular expression from a division", () => {
    const regex = "x = str.replace(/{{(\\w+)}}/g, f);";
    expect(kindAt(regex, "{{(")).toBe("regex");
    const division = "y = a / b; z = c / d{{";
    expect(kindAt(division, "b;")).toBe("code");
    expect(kindAt(division, "d{{")).toBe("code");
    const afterKeyword = "return /a{{/.test(s)";
    expect(kindAt(afterKeyword, "a{{")).toBe("regex");
    const slashInClass = "r = /[/]{{/; q{{";
    expect(kindAt(slashInClass, "q{{")).toBe("code");
  });

  it("treats HTML comment openers as line comments in classic scripts only", () => {
    const source = "<!-- hide {{\ncode();\n--> end {{\nafter{{";
    expect(kindAt(source, "hide")).toBe("comment");
    expect(kindAt(source, "end")).toBe("comment");
    expect(kindAt(source, "after")).toBe("code");
    expect(kindAt(source, "hide", false)).toBe("code");
  });

  it("recovers from an unterminated string at the end of its line", () => {
    const source = 'var a = "open\nnext{{';
    expect(kindAt(source, "open")).toBe("string");
    expect(kindAt(source, "next")).toBe("code");
  });

  it("returns regions in order without overlaps", () => {
    // After the template literal a slash divides; after `=` it starts a regex.
    const source = "a('x') + `y${b}z` / 2 // c\n/* d */ x = /e/g";
    const regions = scanJsRegions(source, true);
    for (let i = 1; i < regions.length; i++) {
      expect(regions[i]?.start).toBeGreaterThanOrEqual(regions[i - 1]?.end ?? 0);
    }
    expect(regions.map((region) => region.kind)).toEqual([
      "string",
      "template",
      "template",
      "comment",
      "comment",
      "regex",
    ]);
  });
});
