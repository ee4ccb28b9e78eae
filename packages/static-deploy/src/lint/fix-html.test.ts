import { describe, expect, it } from "vitest";
import { StaticDeployError } from "../errors.js";
import { fixHtml } from "./fix-html.js";
import { lintHtml } from "./lint-html.js";

// The shape of the incident: a Python str.format template shipped unrendered, its doubled braces
// confined to the booking widget's section of one page.
const widget = [
  "<!-- jada:scope booking -->",
  '<div id="booking-widget">',
  "<script>",
  "var bookingData = {{ jsonData }};",
  "function render(data) {{",
  "  if (data.rooms) {{ show(data.rooms); }}",
  "  var label = 'Book {{ room }}';",
  "}}",
  "</script>",
  "</div>",
  "<!-- /jada:scope booking -->",
].join("\n");
const before = "<html><head><script>var keep = {{ untouched }};</script></head><body>\n";
const after = "\n<p>{{ footer }}</p><script>function f(){if(a){b()}}</script></body></html>\n";
const source = before + widget + after;

describe("fixHtml", () => {
  it("rewrites braces in script code inside the scope and nothing else", () => {
    const result = fixHtml(source, { scope: "booking" });
    expect(result.refused).toBeUndefined();
    expect(result.fixed).toBe(4);
    expect(result.output.startsWith(before)).toBe(true);
    expect(result.output.endsWith(after)).toBe(true);
    const fixedWidget = result.output.slice(before.length, result.output.length - after.length);
    expect(fixedWidget).toBe(
      widget
        .replace("{{ jsonData }}", "{jsonData}")
        .replace("render(data) {{", "render(data) {")
        .replace("{{ show(data.rooms); }}", "{show(data.rooms);}")
        .replace("\n}}\n", "\n}\n"),
    );
    // The string placeholder is a warning, not rewritten; no error is left in the scope.
    const left = lintHtml(result.output, { scope: "booking" }).findings;
    expect(left.map((finding) => finding.ruleId)).toEqual(["brace/in-script-string"]);
  });

  it("fixes an element scope by id", () => {
    const result = fixHtml(source, { scope: "#booking-widget" });
    expect(result.fixed).toBe(4);
    expect(result.output.startsWith(before)).toBe(true);
  });

  it("refuses to change a file when a fixed script would still not parse", () => {
    const broken =
      "<!-- jada:scope s --><script>var a = {{ b }}; var c = ;</script><!-- /jada:scope s -->";
    const result = fixHtml(broken, { scope: "s" });
    expect(result.output).toBe(broken);
    expect(result.fixed).toBe(0);
    expect(result.refused).toMatchObject({ line: 1, column: 30 });
    expect(result.refused?.message).toContain("would still not parse");
  });

  it("changes nothing when there is nothing to fix", () => {
    const clean = "<!-- jada:scope s --><script>var a = 1;</script><!-- /jada:scope s -->";
    expect(fixHtml(clean, { scope: "s" })).toEqual({ output: clean, fixed: 0, scopeFound: true });
  });

  it("requires a scope", () => {
    expect(() => fixHtml(source, { scope: "" })).toThrow(StaticDeployError);
  });
});
