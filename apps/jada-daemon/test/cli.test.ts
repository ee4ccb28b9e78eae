// `jada` as a user runs it: its output and exit code, in process through main(argv, io), and
// the built binary as a subprocess for what only it can show.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJada } from "./run-jada.js";

const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const version = JSON.parse(
  await readFile(new URL("../package.json", import.meta.url), "utf8"),
).version;

let site: string;

// Most tests run the CLI in process (today's sources); "the built binary" runs dist/cli.js.
const jada = (args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) =>
  runJada(args, { cwd: options.cwd ?? site, ...(options.env ? { env: options.env } : {}) });

function built(args: string[]) {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: site,
    env: { PATH: process.env["PATH"] ?? "" },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const widget = [
  "<html><body>",
  "<!-- jada:scope booking -->",
  "<script>",
  "var bookingData = {{ jsonData }};",
  "</script>",
  "<!-- /jada:scope booking -->",
  "<p>{{ footer }}</p>",
  "</body></html>",
  "",
].join("\n");

beforeAll(async () => {
  site = await mkdtemp(join(tmpdir(), "jada-cli-"));
  await mkdir(join(site, "dirty"));
  await mkdir(join(site, "clean"));
  await mkdir(join(site, "warn"));
  await mkdir(join(site, "no-html"));
  await writeFile(join(site, "no-html", "notes.txt"), "{{ not html }}");
  await writeFile(join(site, "dirty", "index.html"), widget);
  await writeFile(join(site, "clean", "index.html"), "<p>fine</p><script>var a = 1;</script>");
  await writeFile(join(site, "warn", "index.html"), "<p>{{ a }}</p><p>{{ b }}</p>");
});
afterAll(async () => {
  await rm(site, { recursive: true, force: true });
});

describe("the built binary", () => {
  it("prints its version, lints, and refuses an unknown command without a stack", () => {
    expect(built(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect(built(["lint", "dirty"]).code).toBe(1);
    const unknown = built(["deplyo"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'deplyo'");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("jada", () => {
  it("--version prints the package version", async () => {
    expect(await jada(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("--help lists the commands and exit codes", async () => {
    const { code, stdout } = await jada(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: jada [options] [command]");
    expect(stdout).toMatch(/lint \[options\] <paths\.\.\.>/);
    expect(stdout).toContain("Exit codes");
  });

  it("rejects an unknown command or option with exit 2 and no stack trace", async () => {
    const unknown = await jada(["deplyo"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'deplyo'");
    const option = await jada(["lint", "--bogus", "."]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--bogus'");
    expect(option.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("jada lint", () => {
  it("--help explains the rules, exit codes and examples", async () => {
    const { code, stdout } = await jada(["lint", "--help"]);
    expect(code).toBe(0);
    for (const text of [
      "brace/unrendered-in-script",
      "--scope <name|#id>",
      "--max-warnings",
      "Exit codes",
      "Examples",
    ]) {
      expect(stdout).toContain(text);
    }
  });

  it("exits 0 on a clean site with no output", async () => {
    expect(await jada(["lint", "clean"])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("exits 1 with a stylish report on errors, uncolored when not a TTY", async () => {
    const { code, stdout, stderr } = await jada(["lint", "dirty"]);
    expect(code).toBe(1);
    expect(stderr).toBe("");
    expect(stdout).toContain("dirty/index.html\n");
    expect(stdout).toMatch(
      /4:19 {2}error {4}Unrendered template expression `\{\{ jsonData \}\}` in script code/,
    );
    expect(stdout).toContain("✖ 3 problems (2 errors, 1 warning)");
    expect(stdout).not.toContain("\u001b[");
  });

  it("prints the documented JSON with --format json", async () => {
    const { code, stdout } = await jada(["lint", "--format", "json", "dirty", "clean"]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ files: 2, errorCount: 2, warningCount: 1, skipped: [] });
    expect(report.findings[0]).toEqual({
      file: "dirty/index.html",
      line: 4,
      column: 19,
      endLine: 4,
      endColumn: 33,
      ruleId: "brace/unrendered-in-script",
      severity: "error",
      message: "Unrendered template expression `{{ jsonData }}` in script code",
      snippet: "var bookingData = {{ jsonData }};",
    });
    expect(JSON.parse((await jada(["lint", "--json", "dirty"])).stdout)).toEqual({
      ...report,
      files: 1,
    });
  });

  it("prints SARIF with --format sarif", async () => {
    const { stdout } = await jada(["lint", "--format", "sarif", "dirty"]);
    const log = JSON.parse(stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].tool.driver).toMatchObject({ name: "jada-lint", version });
    expect(log.runs[0].results).toHaveLength(3);
  });

  it("applies --max-warnings and --quiet", async () => {
    expect((await jada(["lint", "warn"])).code).toBe(0);
    const over = await jada(["lint", "--max-warnings", "1", "warn"]);
    expect(over.code).toBe(1);
    expect(over.stderr).toContain("2 warnings, more than --max-warnings 1");
    expect((await jada(["lint", "--max-warnings", "2", "warn"])).code).toBe(0);
    expect(await jada(["lint", "--quiet", "--max-warnings", "0", "warn"])).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
    const quietDirty = await jada(["lint", "--quiet", "dirty"]);
    expect(quietDirty.stdout).toContain("2 problems (2 errors, 0 warnings)");
  });

  it("exits 2 on usage errors with one clear line", async () => {
    const cases: Array<[string[], string]> = [
      [["lint", "missing-dir"], "no such file or directory: missing-dir"],
      [["lint", "--scope", "nope", "dirty"], 'unknown scope "nope"'],
      [["lint", "--fix", "dirty"], "--fix needs --scope"],
      [["lint", "--dry-run", "dirty"], "--dry-run only applies to --fix"],
      [["lint", "--format", "xml", "dirty"], "argument 'xml' is invalid"],
      [["lint", "--max-warnings", "-1", "dirty"], "expected a whole number"],
      [["lint"], "missing required argument 'paths'"],
      // A wrong path must not pass a deploy gate.
      [["lint", "no-html"], "no files to lint in no-html (looked for html, htm)"],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await jada(args);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toContain(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("fixes inside a scope: --dry-run prints the diff, then --fix writes", async () => {
    const file = join(site, "dirty", "index.html");
    const dry = await jada(["lint", "--scope", "booking", "--fix", "--dry-run", "dirty"]);
    expect(dry.stdout).toContain(
      "-var bookingData = {{ jsonData }};\n+var bookingData = {jsonData};",
    );
    expect(dry.stderr).toContain("would fix 1 occurrence in 1 file");
    expect(await readFile(file, "utf8")).toBe(widget);

    const fixed = await jada(["lint", "--scope", "booking", "--fix", "dirty"]);
    expect(fixed.stderr).toContain("fixed 1 occurrence in 1 file");
    expect(fixed.code).toBe(0);
    expect(await readFile(file, "utf8")).toBe(widget.replace("{{ jsonData }}", "{jsonData}"));
    await writeFile(file, widget);
  });

  it("reports skipped files on stderr and keeps going", async () => {
    const dir = join(site, "mixed");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "bad.html"), Buffer.from([0x3c, 0x70, 0x3e, 0xff, 0x0a]));
    await writeFile(join(dir, "ok.html"), "<p>ok</p>");
    const { code, stderr } = await jada(["lint", "mixed"]);
    expect(code).toBe(0);
    expect(stderr).toBe(
      "jada lint: skipped mixed/bad.html: invalid UTF-8 at line 1 (byte 3); convert the file to UTF-8\n",
    );
  });

  it("reads defaults from the config file, and reports config errors by file and key", async () => {
    await writeFile(join(site, "jada.config.json"), JSON.stringify({ lint: { format: "json" } }));
    try {
      expect(JSON.parse((await jada(["lint", "clean"])).stdout).files).toBe(1);
      await writeFile(join(site, "bad.json"), JSON.stringify({ lint: { format: "xml" } }));
      const bad = await jada(["--config", "bad.json", "lint", "clean"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("bad.json: invalid configuration");
      expect(bad.stderr).toContain("lint.format:");
      const viaEnv = await jada(["lint", "clean"], { env: { JADA_CONFIG: "bad.json" } });
      expect(viaEnv.code).toBe(2);
    } finally {
      await rm(join(site, "jada.config.json"));
    }
  });
});
