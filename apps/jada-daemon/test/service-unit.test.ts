// The daemon's systemd unit, scored by systemd's own `systemd-analyze security --offline=true`
// (systemd 252 on these machines): 2.0 or lower, where a plain unit scores 9.6.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderUnit } from "../src/install/unit.js";
import { runJada } from "./run-jada.js";

const analyze = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
const available = analyze.status === 0;
if (!available && process.env["CI"] === "true")
  throw new Error("the unit's score needs systemd-analyze in CI (apt-get install systemd)");
if (!available) console.warn("[daemon] unit score tests skipped: systemd-analyze is not installed");

/** The exposure score systemd gives a unit file. */
function exposure(dir: string, file: string): number {
  const result = spawnSync("systemd-analyze", ["security", "--offline=true", file], {
    cwd: dir,
    encoding: "utf8",
  });
  const score = /Overall exposure level for \S+: ([\d.]+)/.exec(result.stdout)?.[1];
  if (score === undefined) throw new Error(`no score: ${result.stdout}${result.stderr}`);
  return Number(score);
}

describe.skipIf(!available)("the daemon's systemd unit", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "jada-unit-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("scores 2.0 or lower with systemd-analyze security; a plain unit scores 9.6", async () => {
    const unit = renderUnit({
      node: "/usr/bin/node",
      cli: "/usr/lib/node_modules/@jada/daemon/dist/cli.js",
    });
    await writeFile(join(dir, "jada.service"), unit);
    await writeFile(
      join(dir, "plain.service"),
      "[Service]\nExecStart=/usr/bin/node /usr/lib/node_modules/@jada/daemon/dist/cli.js daemon\n",
    );
    const hardened = exposure(dir, "jada.service");
    expect(hardened).toBeLessThanOrEqual(2.0);
    expect(exposure(dir, "plain.service")).toBeGreaterThan(9);
    // What the daemon needs stays: the network, writable memory for V8, its state directory.
    expect(unit).toContain("RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX");
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m);
    expect(unit).toMatch(/^StateDirectory=jada$/m);
    expect(unit).toMatch(/^Type=notify$/m);
    expect(unit).toMatch(/^WatchdogSec=120$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
  });

  it("`jada service unit` prints it, and refuses what would break it", async () => {
    const printed = await runJada(
      [
        "service",
        "unit",
        "--node",
        "/opt/node/bin/node",
        "--cli",
        "/opt/jada/cli.js",
        "--memory-max",
        "800M",
      ],
      { cwd: dir },
    );
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(
      "ExecStart=/opt/node/bin/node /opt/jada/cli.js daemon --config /etc/jada/jada.config.json",
    );
    expect(printed.stdout).toMatch(/^MemoryMax=800M$/m);
    await writeFile(join(dir, "printed.service"), printed.stdout);
    expect(exposure(dir, "printed.service")).toBeLessThanOrEqual(2.0);
    const spaced = await runJada(["service", "unit", "--cli", "/opt/my jada/cli.js"], { cwd: dir });
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toMatch(/^jada: cli must be an absolute path without spaces/);
    const size = await runJada(["service", "unit", "--memory-max", "lots"], { cwd: dir });
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('--memory-max is a size such as 700M or 1G, not "lots"');
  });
});
