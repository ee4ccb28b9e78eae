// `jada health analyze` on the journal fixtures, as a subprocess.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const fixtures = fileURLToPath(
  new URL("../../../packages/lightsail-health/test/fixtures/", import.meta.url),
);

function jada(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: fixtures,
    encoding: "utf8",
    env: { PATH: process.env["PATH"] ?? "" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("jada health analyze", () => {
  it("reports the token failure as CRITICAL with its period and fix, exit 2", () => {
    const { code, stdout } = jada([
      "health",
      "analyze",
      "--journal",
      "agent-token-failure.journal.json",
    ]);
    expect(code).toBe(2);
    expect(stdout.split("\n")[0]).toBe("CRITICAL: 1 critical, 3 warnings (66 journal entries)");
    expect(stdout).toContain("every 30 min since 2026-05-13 15:00 UTC, 19 times");
    expect(stdout).toContain(
      "fix: jada tokens check (it names the account), then: jada auth google --account <email>",
    );
  });

  it("prints JSON with --json, and the verdict's exit code", () => {
    const { code, stdout } = jada([
      "health",
      "analyze",
      "--journal",
      "malformed.journal.json",
      "--json",
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: "OK", entries: 3, malformed: 4 });
  });

  it("is UNKNOWN (3) when it cannot read the journal", () => {
    const { code, stderr } = jada(["health", "analyze", "--journal", "missing.json"]);
    expect(code).toBe(3);
    expect(stderr).toContain("cannot read the journal missing.json: ENOENT");
  });
});
