// The publish path, for real: every workspace package is published to a local Verdaccio, then a
// fresh project outside the monorepo installs them from that registry only and uses them the
// ways consumers do: ESM import, TypeScript types, require() from CommonJS, and the jada bin.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRegistry, startRegistry } from "./registry.js";
import { publishableWorkspaces, repo, run, type Workspace } from "./workspaces.js";

const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");

const workspaces = publishableWorkspaces();
let registry: LocalRegistry;
let consumer: string;
let npmEnv: Record<string, string>;
let dependedOn: Workspace[] = [];

beforeAll(async () => {
  const upstream =
    run("npm", ["config", "get", "registry"], { cwd: repo }).trim() ||
    "https://registry.npmjs.org/";
  registry = await startRegistry(upstream);
  consumer = await mkdtemp(join(tmpdir(), "jada-consumer-"));
  // Only the registry's config and an empty cache: nothing can come from anywhere else.
  npmEnv = {
    npm_config_userconfig: registry.npmrc,
    npm_config_cache: join(consumer, ".npm-cache"),
    npm_config_registry: registry.url,
  };
  for (const workspace of workspaces) {
    if (!existsSync(join(workspace.dir, "dist")))
      throw new Error(`${workspace.name} is not built: run npm run build`);
    run("npm", ["publish", "--ignore-scripts", "--registry", registry.url], {
      cwd: workspace.dir,
      env: npmEnv,
    });
  }
  await writeFile(
    join(consumer, "package.json"),
    JSON.stringify({ name: "jada-consumer", version: "1.0.0", private: true }, null, 2),
  );
  // The daemon first, alone: the libraries it uses must arrive through its dependency ranges.
  const daemon = workspaces.find((workspace) => workspace.name === "@jada/daemon");
  if (daemon === undefined) throw new Error("@jada/daemon is not a publishable workspace");
  run("npm", ["install", "--no-audit", "--no-fund", `${daemon.name}@${daemon.version}`], {
    cwd: consumer,
    env: npmEnv,
  });
  dependedOn = workspaces.filter((workspace) =>
    existsSync(join(consumer, "node_modules", workspace.name)),
  );
  // A TypeScript consumer of Node libraries has Node's types (google-auth-library's need them).
  const specs = [
    ...workspaces.map((workspace) => `${workspace.name}@${workspace.version}`),
    "@types/node@24",
  ];
  run("npm", ["install", "--no-audit", "--no-fund", ...specs], { cwd: consumer, env: npmEnv });
});

afterAll(async () => {
  await registry?.stop();
  if (consumer) await rm(consumer, { recursive: true, force: true });
});

describe("publishing to a registry", () => {
  it("publishes every package: static-deploy and the daemon at least", () => {
    expect(workspaces.map((workspace) => workspace.name)).toEqual(
      expect.arrayContaining(["@jada/static-deploy", "@jada/daemon"]),
    );
  });

  it("declares internal dependencies as ranges that survive publishing", () => {
    const names = new Set(workspaces.map((workspace) => workspace.name));
    for (const workspace of workspaces) {
      const pkg = JSON.parse(readFileSync(join(workspace.dir, "package.json"), "utf8"));
      for (const [name, range] of Object.entries<string>(pkg.dependencies ?? {})) {
        if (!names.has(name)) continue;
        const target = workspaces.find((candidate) => candidate.name === name);
        expect({ from: workspace.name, name, range }).toEqual({
          from: workspace.name,
          name,
          range: `^${target?.version}`,
        });
      }
    }
    // And npm resolved them from the registry: installing the daemon alone brought its libraries.
    expect(dependedOn.map((workspace) => workspace.name)).toEqual(
      expect.arrayContaining(["@jada/daemon", "@jada/static-deploy", "@jada/google-token"]),
    );
  });

  it("installs everything from that registry and nowhere else", async () => {
    const lock = JSON.parse(await readFile(join(consumer, "package-lock.json"), "utf8"));
    const resolved = Object.entries(lock.packages as Record<string, { resolved?: string }>)
      .filter(([path]) => path !== "")
      .map(([path, entry]) => [path, entry.resolved ?? ""]);
    expect(resolved.length).toBeGreaterThan(workspaces.length);
    for (const [path, url] of resolved)
      expect({ path, url }).toEqual({ path, url: expect.stringContaining(registry.url) });
    for (const workspace of workspaces) {
      const installed = JSON.parse(
        await readFile(join(consumer, "node_modules", workspace.name, "package.json"), "utf8"),
      );
      expect(installed.version).toBe(workspace.version);
    }
  });

  it("works with ESM import", async () => {
    await writeFile(
      join(consumer, "esm.mjs"),
      [
        'import { lintHtml, LINT_RULES } from "@jada/static-deploy";',
        'import { configSchema, VERSION } from "@jada/daemon";',
        'import { mask } from "@jada/google-token";',
        'import { analyzeJournalText } from "@jada/lightsail-health";',
        'if (analyzeJournalText("").verdict !== "UNKNOWN") throw new Error("lightsail-health");',
        'import { createSqliteTaskStore } from "@jada/orchestrator/sqlite";',
        'const tasks = createSqliteTaskStore({ path: ":memory:" });',
        'if ((await tasks.add({ title: "t" })).status !== "pending") throw new Error("orchestrator");',
        'const { findings } = lintHtml("<script>var a = {{ b }};</script>");',
        "console.log(JSON.stringify({ rule: findings[0].ruleId, rules: LINT_RULES.length,",
        '  version: VERSION, format: configSchema.parse({}).lint.format, masked: mask("1//0abcdef") }));',
      ].join("\n"),
    );
    const output = JSON.parse(run(process.execPath, ["esm.mjs"], { cwd: consumer }));
    expect(output).toEqual({
      rule: "brace/unrendered-in-script",
      rules: 5,
      version: workspaces.find((workspace) => workspace.name === "@jada/daemon")?.version,
      format: "stylish",
      masked: "1//0…(10 chars)",
    });
  });

  it("works with require() from CommonJS", async () => {
    await writeFile(
      join(consumer, "cjs.cjs"),
      [
        'const { lintHtml } = require("@jada/static-deploy");',
        'const { parseConfig } = require("@jada/daemon");',
        'const { TokenStore } = require("@jada/google-token");',
        'if (new TokenStore("/tmp/x.json").path !== "/tmp/x.json") throw new Error("TokenStore");',
        'const { findings } = lintHtml("<p>{{ name }}</p>");',
        'console.log(JSON.stringify([findings[0].ruleId, parseConfig({ lint: { maxWarnings: 2 } }, "x").lint.maxWarnings]));',
      ].join("\n"),
    );
    const output = JSON.parse(run(process.execPath, ["cjs.cjs"], { cwd: consumer }));
    expect(output).toEqual(["brace/unrendered-in-markup", 2]);
  });

  it("resolves the TypeScript types, and they are real types (not any)", async () => {
    await writeFile(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2023",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
        },
        files: ["consumer.mts"],
      }),
    );
    await writeFile(
      join(consumer, "consumer.mts"),
      [
        'import { type LintFinding, type LintRunResult, lintHtml, lintPaths, StaticDeployError } from "@jada/static-deploy";',
        'import { type JadaConfig, loadConfig, main } from "@jada/daemon";',
        'import { createTokenManager, type TokenHealth, TokenStore } from "@jada/google-token";',
        'import { deploySite, type DeployResult } from "@jada/static-deploy";',
        'import { analyzeJournalText, type Verdict } from "@jada/lightsail-health";',
        'import type { Task } from "@jada/orchestrator";',
        'import { createSqliteTaskStore } from "@jada/orchestrator/sqlite";',
        "",
        'const findings: LintFinding[] = lintHtml("<p>{{ a }}</p>", { scope: "#main" }).findings;',
        "const first: number | undefined = findings[0]?.line;",
        'const run: Promise<LintRunResult> = lintPaths(["site"], { fix: true, scope: "booking", dryRun: true });',
        'const code: "PATH_NOT_FOUND" | string = new StaticDeployError("PATH_NOT_FOUND", "x").code;',
        'const config: Promise<{ config: JadaConfig }> = loadConfig({ env: {}, cwd: "." });',
        'const exit: Promise<number> = main(["--version"], { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: "." });',
        "// @ts-expect-error: lintHtml takes a string",
        "lintHtml(42);",
        '// @ts-expect-error: severity is "error" | "warning"',
        'const wrong: LintFinding["severity"] = "fatal";',
        'const manager = createTokenManager({ store: new TokenStore("tokens.json") });',
        'const health: Promise<TokenHealth> = manager.check("ops@sailjada.com", { refresh: false });',
        "// @ts-expect-error: the status is a union of known words",
        'const status: TokenHealth["status"] = "fine";',
        "const deployed: Promise<DeployResult> | undefined = undefined as unknown as Promise<DeployResult>;",
        "void deploySite;",
        'const verdict: Verdict = analyzeJournalText("").verdict;',
        'const task: Promise<Task> = createSqliteTaskStore({ path: ":memory:" }).add({ title: "t" });',
        "export { first, run, code, config, exit, wrong, health, status, deployed, verdict, task };",
      ].join("\n"),
    );
    run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: consumer });
  });

  it("runs `npx jada --version` from the installed @jada/daemon", () => {
    const output = run("npx", ["--no-install", "jada", "--version"], {
      cwd: consumer,
      env: npmEnv,
    });
    expect(output.trim()).toBe(
      workspaces.find((workspace) => workspace.name === "@jada/daemon")?.version,
    );
  });
});
