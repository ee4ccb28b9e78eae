import { describe, expect, it } from "vitest";
import type { LintFinding } from "../types.js";
import { lintHtml } from "./lint-html.js";

/** Line and column (1-based) of the `nth` occurrence of `needle`, computed from the source. */
function positionOf(source: string, needle: string, nth = 0): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = source.indexOf(needle, offset + 1);
    if (offset === -1) throw new Error(`"${needle}" #${nth} is not in the source`);
  }
  const before = source.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length, column: (before[before.length - 1] ?? "").length + 1 };
}

function rules(findings: LintFinding[]): string[] {
  return findings.map((finding) => finding.ruleId);
}

function page(body: string): string {
  return `<!doctype html>\n<html>\n<head><title>Test</title></head>\n<body>\n${body}\n</body>\n</html>\n`;
}

describe("brace/unrendered-in-script", () => {
  it("reports the booking-widget incident at the position of the braces", () => {
    const source = page("<script>\n  var bookingData = {{ jsonData }};\n</script>");
    const { findings } = lintHtml(source, { file: "book.html" });
    const brace = findings.find((f) => f.ruleId === "brace/unrendered-in-script");
    expect(brace).toMatchObject({
      file: "book.html",
      severity: "error",
      ...positionOf(source, "{{ jsonData }}"),
      endLine: positionOf(source, "{{ jsonData }}").line,
      endColumn: positionOf(source, "{{ jsonData }}").column + "{{ jsonData }}".length,
      snippet: "  var bookingData = {{ jsonData }};",
    });
    expect(brace?.message).toContain("{{ jsonData }}");
  });

  it("reports braces that still parse as JavaScript (nested blocks)", () => {
    const source = page("<script>{{ x }}</script>");
    const { findings } = lintHtml(source);
    expect(rules(findings)).toEqual(["brace/unrendered-in-script"]);
  });

  it("reports doubled braces of a str.format template, and their closers", () => {
    const source = page("<script>\nfunction init() {{\n  go();\n}}\n</script>");
    const { findings } = lintHtml(source);
    expect(findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([
      ["brace/unrendered-in-script", ...Object.values(positionOf(source, "{{"))],
      ["brace/unrendered-in-script", ...Object.values(positionOf(source, "}}"))],
    ]);
  });

  it("does not report `}}` of ordinary minified code", () => {
    const source = page("<script>function f(a){if(a){return 1}}f(1);</script>");
    expect(lintHtml(source).findings).toEqual([]);
  });

  it("counts triple-stache as one expression", () => {
    const source = page("<script>var html = {{{ raw }}};</script>");
    const { findings } = lintHtml(source);
    const brace = findings.find((f) => f.ruleId === "brace/unrendered-in-script");
    expect(brace?.endColumn).toBe((brace?.column ?? 0) + "{{{ raw }}}".length);
  });

  it.each([
    ["no type", "<script>"],
    ["empty type", '<script type="">'],
    ["text/javascript", '<script type="text/javascript">'],
    ["application/javascript, any case", '<script type=" Application/JavaScript ">'],
    ["legacy language attribute", '<script language="javascript">'],
    ["module", '<script type="module">'],
  ])("scans executable scripts: %s", (_label, open) => {
    const { findings } = lintHtml(page(`${open}var a = {{ b }};</script>`));
    expect(rules(findings)).toContain("brace/unrendered-in-script");
  });

  it.each([
    ["text/template", '<script type="text/template">'],
    ["text/x-handlebars-template", '<script type="text/x-handlebars-template">'],
    ["text/x-template", '<script type="text/x-template">'],
    ["an unknown type", '<script type="text/x-whatever">'],
    ["an unknown language", '<script language="vbscript">'],
  ])("never scans templates by design: %s", (_label, open) => {
    const { findings } = lintHtml(page(`${open}<p>{{ name }}</p> {{#each items}}</script>`));
    expect(findings).toEqual([]);
  });
});

describe("brace/in-script-string", () => {
  it("warns about braces inside strings and template literals", () => {
    const source = page(
      '<script>\nvar a = "Hello {{ name }}";\nvar b = `Dear {{ who }}, ${x}`;\n</script>',
    );
    const { findings } = lintHtml(source);
    expect(findings.map((f) => [f.ruleId, f.severity, f.line, f.column])).toEqual([
      ["brace/in-script-string", "warning", ...Object.values(positionOf(source, "{{ name }}"))],
      ["brace/in-script-string", "warning", ...Object.values(positionOf(source, "{{ who }}"))],
    ]);
  });

  it("ignores braces in comments and regular expressions", () => {
    const source = page(
      "<script>\n// {{ a }}\n/* {{ b }} */\nvar t = s.replace(/{{(\\w+)}}/g, f);\n</script>",
    );
    expect(lintHtml(source).findings).toEqual([]);
  });
});

describe("brace/unrendered-in-markup", () => {
  it("warns about braces in text nodes and attribute values", () => {
    const source = page(
      '<h1 title="{{ t }}">Welcome, {{ user.name }}!</h1>\n<!-- {{ hidden }} -->',
    );
    const { findings } = lintHtml(source);
    expect(findings.map((f) => [f.ruleId, f.severity, f.line, f.column, f.message])).toEqual([
      [
        "brace/unrendered-in-markup",
        "warning",
        ...Object.values(positionOf(source, "{{ t }}")),
        expect.stringContaining("attribute value"),
      ],
      [
        "brace/unrendered-in-markup",
        "warning",
        ...Object.values(positionOf(source, "{{ user.name }}")),
        expect.stringContaining("text"),
      ],
    ]);
  });

  it("checks title and other raw text, but not <template> content", () => {
    const source = page("<textarea>{{ a }}</textarea><template><p>{{ b }}</p></template>");
    const { findings } = lintHtml(source);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject(positionOf(source, "{{ a }}"));
  });
});

describe("script/parse-error", () => {
  it("reports the parser's message at the file position", () => {
    const source = page("<script>\nvar ok = 1;\nvar broken = ;\n</script>");
    const { findings } = lintHtml(source);
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: "script/parse-error",
        severity: "error",
        ...positionOf(source, "; \n".trim(), 1),
        message: "Inline script does not parse: Unexpected token",
      }),
    ]);
  });

  it("parses modules as modules and classic scripts as scripts", () => {
    const moduleCode = 'import { a } from "./a.js"; await a();';
    expect(lintHtml(page(`<script type="module">${moduleCode}</script>`)).findings).toEqual([]);
    expect(rules(lintHtml(page(`<script>${moduleCode}</script>`)).findings)).toEqual([
      "script/parse-error",
    ]);
  });

  it("accepts the latest syntax and old HTML comment wrappers", () => {
    const modern = "class A { #x = 1; static { this.y = 2; } } const z = a?.b ?? 1n; using_ = 1;";
    const wrapped = "<!--\nvar a = 1;\n//-->";
    expect(
      lintHtml(page(`<script>${modern}</script><script>${wrapped}</script>`)).findings,
    ).toEqual([]);
  });

  it("reports a script too deeply nested to parse, without crashing", () => {
    const deep = `${"(".repeat(100_000)}1${")".repeat(100_000)}`;
    const { findings } = lintHtml(page(`<script>${deep}</script>`));
    expect(findings).toEqual([expect.objectContaining({ ruleId: "script/parse-error" })]);
  });

  it("ignores empty scripts and scripts with src", () => {
    expect(lintHtml(page('<script src="/app.js"></script><script>  </script>')).findings).toEqual(
      [],
    );
  });
});

describe("json/parse-error", () => {
  it.each(["application/ld+json", "application/json", "importmap"])("checks %s blocks", (type) => {
    const source = page(`<script type="${type}">\n{"name": "Jada", "url": {{ url }}}\n</script>`);
    const { findings } = lintHtml(source);
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: "json/parse-error",
        severity: "error",
        ...positionOf(source, "{ url"),
      }),
    ]);
    expect(findings[0]?.message).toContain(type);
  });

  it("accepts valid JSON", () => {
    const source = page(
      '<script type="application/ld+json">{"@type": "Organization", "n": [1, 2]}</script>',
    );
    expect(lintHtml(source).findings).toEqual([]);
  });
});

describe("positions", () => {
  it("counts CRLF and lone CR line breaks", () => {
    const source = "<p>a</p>\r\n<p>b</p>\r<script>\r\nx = {{ y }};\r\n</script>";
    const { findings } = lintHtml(source);
    expect(findings[0]).toMatchObject({ line: 4, column: 5, snippet: "x = {{ y }};" });
  });

  it("does not count a byte order mark as a column", () => {
    const { findings } = lintHtml("\ufeff<p>{{ a }}</p>");
    expect(findings[0]).toMatchObject({ line: 1, column: 4, snippet: "<p>{{ a }}</p>" });
  });

  it("counts columns in UTF-16 code units", () => {
    const { findings } = lintHtml("<p>héllo 😀 {{ a }}</p>");
    expect(findings[0]?.column).toBe("<p>héllo 😀 ".length + 1);
  });

  it("cuts the snippet of a minified line around the finding", () => {
    const filler = "<p>x</p>".repeat(2000);
    const { findings } = lintHtml(`${filler}<p>{{ needle }}</p>${filler}`);
    expect(findings[0]?.snippet.length).toBeLessThan(300);
    expect(findings[0]?.snippet).toContain("{{ needle }}");
  });
});

describe("scope", () => {
  const source = page(
    [
      "<p>{{ outside }}</p><script>var o = {{ out }};</script>",
      "<!-- jada:scope booking -->",
      '<div id="widget"><script>var b = {{ data }};</script><p>{{ label }}</p></div>',
      "<!-- /jada:scope booking -->",
      '<section id="later"><script>var c = {{ later }};</script></section>',
    ].join("\n"),
  );

  it("limits the lint to a marked region", () => {
    const { findings, scopeFound } = lintHtml(source, { scope: "booking" });
    expect(scopeFound).toBe(true);
    expect(findings.map((f) => f.snippet.includes("widget"))).not.toContain(false);
    expect(findings.map((f) => f.line)).toEqual(
      findings.map(() => positionOf(source, "widget").line),
    );
    expect(rules(findings)).toEqual([
      "brace/unrendered-in-script",
      "script/parse-error",
      "brace/unrendered-in-markup",
    ]);
  });

  it("limits the lint to the element with an id", () => {
    const { findings } = lintHtml(source, { scope: "#later" });
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining("{{ later }}"),
      expect.stringContaining("does not parse"),
    ]);
  });

  it("says when a scope does not occur", () => {
    expect(lintHtml(source, { scope: "nope" })).toEqual({ findings: [], scopeFound: false });
    expect(lintHtml(source, { scope: "#nope" })).toEqual({ findings: [], scopeFound: false });
  });

  it("ends an id scope where its element ends, despite unclosed children", () => {
    const html = '<div id="w"><p>{{ in }}<span>unclosed</div><p>{{ out }}</p>';
    const { findings } = lintHtml(html, { scope: "#w" });
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining("{{ in }}")]);
  });

  it("runs an unclosed id element to the end of the document", () => {
    const html = '<div id="w"><p>{{ a }}</p><p>{{ b }}';
    expect(lintHtml(html, { scope: "#w" }).findings).toHaveLength(2);
  });
});

describe("hostile input", () => {
  it("handles an empty document", () => {
    expect(lintHtml("")).toEqual({ findings: [], scopeFound: false });
  });

  it("handles deeply nested and unclosed markup", () => {
    const deep = `${"<div>".repeat(50_000)}{{ x }}`;
    const { findings } = lintHtml(deep);
    expect(findings).toEqual([expect.objectContaining({ ruleId: "brace/unrendered-in-markup" })]);
  });

  it("handles an unclosed script to the end of the file", () => {
    const { findings } = lintHtml("<p>a</p><script>var a = {{ b }};");
    expect(rules(findings)).toContain("brace/unrendered-in-script");
  });

  it("handles a stray `</script>` and broken tags", () => {
    expect(() => lintHtml("</script><<p <div =x>{{</p>}}")).not.toThrow();
  });
});
