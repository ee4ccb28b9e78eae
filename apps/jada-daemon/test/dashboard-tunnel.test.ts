// `jada dashboard <instance>` (the built binary) over real OpenSSH: the test's sshd stands for
// the Lightsail host, the loopback Lightsail API hands out the temporary access, and a real
// `jada daemon` listens on the "host's" loopback.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  canRunSshd,
  type LightsailFake,
  startLightsailFake,
  startTestSshd,
  type TestSshd,
} from "@jada/lightsail-health/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DaemonProcess, startDaemon } from "./daemon-process.js";

const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const INSTANCE = "jada-orchestrator";
const available = canRunSshd();
if (!available.ok && process.env["CI"] === "true")
  throw new Error(`jada dashboard needs sshd in CI: ${available.why}`);
if (!available.ok) console.warn(`[daemon] jada dashboard tests skipped: ${available.why}`);

describe.skipIf(!available.ok)("jada dashboard <instance> over real OpenSSH", () => {
  let sshd: TestSshd;
  let fake: LightsailFake;
  let dir: string;
  let daemon: DaemonProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    sshd = await startTestSshd();
    fake = await startLightsailFake({
      instances: {
        [INSTANCE]: {
          address: sshd.address,
          username: sshd.username,
          hostKeys: sshd.hostKeys,
          caKeyPath: sshd.caKeyPath,
        },
      },
    });
    dir = await mkdtemp(join(tmpdir(), "jada-dashboard-tunnel-"));
    await mkdir(join(dir, "tmp"));
    await writeFile(
      join(dir, "jada.config.json"),
      JSON.stringify({
        http: { port: 0 },
        instances: { [INSTANCE]: { region: "us-west-2", port: sshd.port } },
        jobs: { "self-check": { enabled: false }, "tokens-check": { enabled: false } },
      }),
    );
    env = {
      PATH: process.env["PATH"] ?? "",
      TMPDIR: join(dir, "tmp"),
      JADA_DATA_DIR: join(dir, "data"),
      AWS_ENDPOINT_URL_LIGHTSAIL: fake.endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    daemon = await startDaemon(dir, env);
  });

  afterAll(async () => {
    await daemon?.stop();
    await fake?.close();
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function dashboard(args: string[]) {
    const child = spawn(process.execPath, [bin, "dashboard", ...args], { cwd: dir, env });
    let stdout = "";
    let stderr = "";
    let printed: (line: string) => void = () => {};
    const firstLine = new Promise<string>((resolve) => {
      printed = resolve;
    });
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("\n")) printed(stdout.slice(0, stdout.indexOf("\n")));
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = once(child, "exit").then(([code]) => ({ code, stdout, stderr }));
    return { child, firstLine, exited };
  }

  it("tunnels to the daemon on the host, prints the URL, and closes on Ctrl-C", async () => {
    const remotePort = new URL(daemon.url).port;
    const run = dashboard([INSTANCE, "--remote-port", remotePort, "--json"]);
    const shown = JSON.parse(await run.firstLine) as { url: string; localPort: number };
    expect(shown).toMatchObject({ instance: INSTANCE, remotePort: Number(remotePort) });
    expect(shown.localPort).not.toBe(Number(remotePort));
    const overview = await fetch(`${shown.url}/api/overview`);
    expect(overview.status).toBe(200);
    expect(await overview.json()).toMatchObject({ quota: { limit: 5 } });
    // The page works through the tunnel: its Host is the tunnel's local port.
    const page = await fetch(`${shown.url}/tasks`, { headers: { accept: "text/html" } });
    expect(await page.text()).toContain("<title>Tasks · jada</title>");
    run.child.kill("SIGINT");
    expect((await run.exited).code).toBe(0);
    await expect(fetch(`${shown.url}/healthz`)).rejects.toThrow();
  });

  it("says so when no daemon answers on the host, and exits 1", async () => {
    const run = dashboard([INSTANCE, "--remote-port", "9"]);
    const result = await run.exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^jada: the tunnel to jada-orchestrator is up, but no daemon answers on its 127\.0\.0\.1:9 \(.+\); is it running with HTTP on\? Check: jada health jada-orchestrator\n$/,
    );
  });

  it("refuses an instance the config does not have, and a bad port, with exit 2", async () => {
    const unknown = await dashboard(["nope"]).exited;
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      `jada: unknown instance "nope": configured instances are ${INSTANCE}\n`,
    );
    const badPort = await dashboard([INSTANCE, "--local-port", "99999"]).exited;
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('a port is a whole number from 1 to 65535, not "99999"');
  });
});
