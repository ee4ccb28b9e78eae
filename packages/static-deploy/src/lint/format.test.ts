import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type AjvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import type { LintRunResult } from "../types.js";
import { formatJson, formatSarif, formatStylish } from "./format.js";
import { lintHtml } from "./lint-html.js";

const cwd = "/srv/site";
const source = '<p title="{{ t }}">x</p>\n<script>\nvar a = {{ b }};\n</script>\n';
const findings = lintHtml(source, { file: join(cwd, "pages", "index page.html") }).findings;
const result: LintRunResult = {
  files: 3,
  findings,
  errorCount: findings.filter((finding) => finding.severity === "error").length,
  warningCount: findings.filter((finding) => finding.severity === "warning").length,
  skipped: [
    {
      file: join(cwd, "bad.html"),
      reason: "invalid-utf8",
      message: "invalid UTF-8 at line 1 (byte 3)",
    },
  ],
};

// The official SARIF 2.1.0 schema (draft-04), as shipped by Microsoft's SARIF tooling.
const require = createRequire(import.meta.url);
// ajv-draft-04 is CommonJS; require() gives the class itself.
const Ajv = require("ajv-draft-04") as typeof AjvDraft04.default;
const sarifSchema = JSON.parse(
  readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
);

describe("formatSarif", () => {
  it("produces valid SARIF 2.1.0", () => {
    const ajv = new Ajv({
      allErrors: true,
      strict: false,
      unicodeRegExp: false,
      validateFormats: false,
    });
    const validate = ajv.compile(sarifSchema);
    const log = JSON.parse(formatSarif(result, { cwd, toolVersion: "1.2.3" }));
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator is live: a result with a level SARIF does not define is rejected.
    log.runs[0].results[0].level = "fatal";
    expect(validate(log)).toBe(false);
  });

  it("maps findings to results with relative, encoded URIs and rule indexes", () => {
    const log = JSON.parse(formatSarif(result, { cwd }));
    const run = log.runs[0];
    expect(run.originalUriBaseIds["%SRCROOT%"].uri).toBe("file:///srv/site/");
    expect(run.results).toHaveLength(findings.length);
    const first = run.results[0];
    expect(first.locations[0].physicalLocation.artifactLocation).toEqual({
      uri: "pages/index%20page.html",
      uriBaseId: "%SRCROOT%",
    });
    expect(run.tool.driver.rules[first.ruleIndex].id).toBe(first.ruleId);
    expect(first.locations[0].physicalLocation.region).toMatchObject({
      startLine: 1,
      startColumn: 11,
    });
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toContain(
      "invalid UTF-8",
    );
  });

  it("uses an absolute file URI for files outside the working directory", () => {
    const outside = {
      ...result,
      findings: [{ ...(findings[0] as (typeof findings)[0]), file: "/elsewhere/a.html" }],
    };
    const log = JSON.parse(formatSarif(outside, { cwd }));
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({
      uri: "file:///elsewhere/a.html",
    });
  });
});

describe("formatJson", () => {
  it("has the documented shape", () => {
    const json = JSON.parse(formatJson(result));
    expect(Object.keys(json)).toEqual([
      "files",
      "findings",
      "errorCount",
      "warningCount",
      "skipped",
    ]);
    expect(json.files).toBe(3);
    expect(Object.keys(json.findings[0]).sort()).toEqual(
      [
        "column",
        "endColumn",
        "endLine",
        "file",
        "line",
        "message",
        "ruleId",
        "severity",
        "snippet",
      ].sort(),
    );
  });
});

describe("formatStylish", () => {
  it("groups by file and ends with a summary", () => {
    const text = formatStylish(result);
    expect(text).toContain("/srv/site/pages/index page.html\n");
    expect(text).toMatch(/ {2}1:11 {2}warning {2}Unrendered template expression `\{\{ t \}\}`/);
    expect(text).toContain("brace/unrendered-in-script");
    expect(text).toContain("✖ 3 problems (2 errors, 1 warning)");
    expect(text).not.toContain("\u001b[");
  });

  it("colors only when asked", () => {
    expect(formatStylish(result, { color: true })).toContain("\u001b[31m");
  });

  it("prints nothing for a clean run", () => {
    expect(formatStylish({ ...result, findings: [], errorCount: 0, warningCount: 0 })).toBe("");
  });
});
