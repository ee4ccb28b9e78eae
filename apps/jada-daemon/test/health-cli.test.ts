// `jada health analyze` on the journal fixtures, as a subprocess.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { canRunSshd, startLightsailFake, startTestSshd } from "@jada/lightsail-health/testing";
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
    expect(stderr).toMatch(
      /^jada: cannot read the journal \/.*\/missing\.json: no such file; export one with: journalctl -u jada-agent\.service -o json --since -1d > agent\.json\n$/,
    );
  });
});

describe("jada health <instance> over real OpenSSH", () => {
  const available = canRunSshd();
  if (!available.ok && process.env["CI"] === "true")
    throw new Error(`jada health needs sshd in CI: ${available.why}`);
  if (!available.ok) console.warn(`[daemon] jada health tests skipped: ${available.why}`);

  it.skipIf(!available.ok)(
    "checks the instance from the config and exits with the verdict",
    async () => {
      const shims = fileURLToPath(
        new URL("../../../packages/lightsail-health/test/shims", import.meta.url),
      );
      const sshd = await startTestSshd({ pathPrefix: shims });
      const fake = await startLightsailFake({
        instances: {
          "jada-orchestrator": {
            address: sshd.address,
            username: sshd.username,
            hostKeys: sshd.hostKeys,
            caKeyPath: sshd.caKeyPath,
          },
        },
      });
      const dir = await mkdtemp(join(tmpdir(), "jada-health-cli-"));
      try {
        await writeFile(
          join(dir, "jada.config.json"),
          JSON.stringify({
            instances: { "jada-orchestrator": { region: "us-west-2", port: sshd.port } },
          }),
        );
        // Keys in a temporary directory of this test's own: other tests count theirs.
        await mkdir(join(dir, "tmp"));
        const env = {
          PATH: process.env["PATH"] ?? "",
          TMPDIR: join(dir, "tmp"),
          AWS_ENDPOINT_URL_LIGHTSAIL: fake.endpoint,
          AWS_ACCESS_KEY_ID: "testing",
          AWS_SECRET_ACCESS_KEY: "testing",
          AWS_EC2_METADATA_DISABLED: "true",
        };
        const run = async (args: string[]) => {
          const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (chunk) => (stdout += chunk));
          child.stderr.on("data", (chunk) => (stderr += chunk));
          const [code] = await once(child, "exit");
          return { code, stdout, stderr };
        };
        const text = await run(["health", "jada-orchestrator"]);
        expect(text.code).toBe(2);
        expect(text.stdout).toMatch(/^jada-orchestrator: CRITICAL \(checked /);
        expect(text.stdout).toContain(
          "service  jada-agent.service active (running) since 2026-05-13T14:50:01Z, pid 812, 3.4% CPU, 179 MiB RSS, 0 restarts",
        );
        expect(text.stdout).toContain(
          "metrics  CPU avg 4% max 4%; burst 100%; status checks failed 0",
        );
        expect(text.stdout).toContain("[critical] google-token");
        expect(readdirSync(join(dir, "tmp"))).toEqual([]);

        const json = await run(["health", "jada-orchestrator", "--json", "--since", "-1h"]);
        expect(JSON.parse(json.stdout)).toMatchObject({
          instance: "jada-orchestrator",
          verdict: "CRITICAL",
          unobserved: [],
        });

        // No credentials: one line with the fix, UNKNOWN (no instance metadata lookup: disabled).
        const bare = spawn(process.execPath, [bin, "health", "jada-orchestrator"], {
          cwd: dir,
          env: { PATH: env.PATH, AWS_EC2_METADATA_DISABLED: "true", HOME: dir },
        });
        let bareErr = "";
        bare.stderr.on("data", (chunk) => (bareErr += chunk));
        const [bareCode] = await once(bare, "exit");
        expect(bareCode).toBe(3);
        expect(bareErr).toBe(
          "jada: no AWS credentials found\nfix: set AWS_PROFILE (see aws configure), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; on an instance, attach a role\n",
        );

        const unknown = await run(["health", "nope"]);
        expect(unknown.code).toBe(3);
        expect(unknown.stderr).toContain(
          'unknown instance "nope": configured instances are jada-orchestrator',
        );
      } finally {
        await fake.close();
        await sshd.stop();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!available.ok)(
    "on SIGTERM mid-probe, ends its ssh child and removes the key before it exits",
    async () => {
      const shims = fileURLToPath(
        new URL("../../../packages/lightsail-health/test/shims", import.meta.url),
      );
      // A host whose probe never ends.
      const sshd = await startTestSshd({ pathPrefix: shims, env: { JADA_SHIM_HANG: "1" } });
      const fake = await startLightsailFake({
        instances: {
          hangs: {
            address: sshd.address,
            username: sshd.username,
            hostKeys: sshd.hostKeys,
            caKeyPath: sshd.caKeyPath,
          },
        },
      });
      const dir = await mkdtemp(join(tmpdir(), "jada-health-signal-"));
      try {
        await writeFile(
          join(dir, "jada.config.json"),
          JSON.stringify({ instances: { hangs: { region: "us-west-2", port: sshd.port } } }),
        );
        // Its own temporary directory: the keys it writes there, and its ssh's command line,
        // are told apart from those of the other tests running at the same time.
        const privateTmp = join(dir, "tmp");
        await mkdir(privateTmp);
        const child = spawn(process.execPath, [bin, "health", "hangs"], {
          cwd: dir,
          env: {
            PATH: process.env["PATH"] ?? "",
            TMPDIR: privateTmp,
            AWS_ENDPOINT_URL_LIGHTSAIL: fake.endpoint,
            AWS_ACCESS_KEY_ID: "testing",
            AWS_SECRET_ACCESS_KEY: "testing",
            AWS_EC2_METADATA_DISABLED: "true",
          },
        });
        const exited = once(child, "exit");
        // Wait until jada's ssh is connected and the probe hangs on the host.
        while (sshProcesses(privateTmp).length === 0 || remoteProbes().length === 0)
          await new Promise((resolve) => setTimeout(resolve, 50));
        child.kill("SIGTERM");
        const [, signal] = await exited;
        expect(signal).toBe("SIGTERM");
        // Nothing of it is left: no ssh process, no key on disk.
        expect(sshProcesses(privateTmp)).toEqual([]);
        expect(readdirSync(privateTmp)).toEqual([]);
      } finally {
        await fake.close();
        await sshd.stop();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

// The ssh clients of a jada health check running now, whose key lives under `tmp`.
function sshProcesses(tmp: string): string[] {
  return commandLines().filter(
    (line) => line.startsWith("ssh ") && line.includes(join(tmp, "jada-ssh-")),
  );
}

// The hanging probes on the test host.
function remoteProbes(): string[] {
  return commandLines().filter((line) => line === "sleep 120");
}

function commandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim());
    } catch {
      // Gone meanwhile.
    }
  }
  return lines;
}
