// The whole check over real OpenSSH: a loopback Lightsail (driven by the real
// @aws-sdk/client-lightsail) hands out CA-signed temporary certificates for a real sshd on
// 127.0.0.1, whose sessions find systemctl/journalctl stand-ins printing captured samples.
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { LightsailClient } from "@aws-sdk/client-lightsail";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLightsailApi } from "../src/adapters/aws.js";
import { checkHealth, normalizeSince } from "../src/check.js";
import { METRICS } from "../src/metrics.js";
import { createOpenSshShell } from "../src/ssh/openssh.js";
import { openSshTunnel } from "../src/ssh/tunnel.js";
import { type LightsailFake, startLightsailFake } from "../src/testing/lightsail-fake.js";
import { generateKey } from "../src/testing/ssh-keys.js";
import { canRunSshd, startTestSshd, type TestSshd } from "../src/testing/sshd.js";

const shims = fileURLToPath(new URL("./shims", import.meta.url));
const available = canRunSshd();
if (!available.ok) {
  if (process.env["CI"] === "true")
    throw new Error(`the SSH tests need sshd in CI: ${available.why}`);
  console.warn(`[lightsail-health] SSH tests skipped: ${available.why}`);
}

const INSTANCE = "jada-orchestrator";
const keyDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith("jada-ssh-"));

describe.skipIf(!available.ok)("a health check over real OpenSSH", () => {
  let sshd: TestSshd;
  let quietSshd: TestSshd;
  let fake: LightsailFake;
  let clock = Date.now();

  beforeAll(async () => {
    sshd = await startTestSshd({ pathPrefix: shims, logLevel: "INFO" });
    quietSshd = await startTestSshd({
      pathPrefix: shims,
      env: { JADA_SHIM_STATE: "notfound", JADA_SHIM_JOURNAL: "malformed.journal.json" },
    });
    fake = await startLightsailFake({
      // The fake's expiresAt follows the test's clock, as the shell's does.
      now: () => clock,
      instances: {
        [INSTANCE]: {
          address: sshd.address,
          username: sshd.username,
          hostKeys: sshd.hostKeys,
          caKeyPath: sshd.caKeyPath,
        },
        quiet: {
          address: quietSshd.address,
          username: quietSshd.username,
          hostKeys: quietSshd.hostKeys,
          caKeyPath: quietSshd.caKeyPath,
        },
      },
    });
  });
  afterAll(async () => {
    await fake?.close();
    await sshd?.stop();
    await quietSshd?.stop();
  });

  function parts(instance = INSTANCE, port = sshd.port) {
    const api = createLightsailApi(
      new LightsailClient({
        region: "us-west-2",
        endpoint: fake.endpoint,
        credentials: { accessKeyId: "a", secretAccessKey: "b" },
        maxAttempts: 1,
      }),
    );
    const shell = createOpenSshShell({
      getAccess: () => api.getAccessDetails(instance),
      port,
      connectTimeoutSeconds: 3,
      clock: { now: () => clock },
    });
    return { api, shell };
  }

  it("probes the host and reads the metrics in one check, with a verdict and fixes", async () => {
    const before = keyDirs().length;
    const { api, shell } = parts();
    const report = await checkHealth({ instance: INSTANCE, api, shell, since: "2h" });
    expect(normalizeSince("2h")).toBe("-2h");
    expect(normalizeSince("2026-05-13 15:00")).toBe("2026-05-13 15:00");
    expect(report.unobserved).toEqual([]);
    expect(report.verdict).toBe("CRITICAL");
    expect(report.probe?.service).toMatchObject({ activeState: "active", mainPid: 812 });
    expect(report.probe?.journal).toHaveLength(66);
    expect(report.findings.find((finding) => finding.id === "google-token")?.summary).toContain(
      "every 30 min",
    );
    expect(Object.keys(report.metrics).sort()).toHaveLength(8);
    expect(report.metrics.BurstCapacityPercentage).toMatchObject({
      unit: "Percent",
      period: 300,
      last: 100,
    });
    // Each metric asked for with the unit and period Lightsail requires (the fake rejects others).
    expect(
      fake.metricRequests.find((request) => request.metric === "StatusCheckFailed"),
    ).toMatchObject({ unit: "Count", period: 60, statistics: ["Sum"] });
    expect(fake.metricRequests.find((request) => request.metric === "NetworkIn")).toMatchObject({
      unit: "Bytes",
      period: 300,
    });
    for (const request of fake.metricRequests) {
      const spec = METRICS[request.metric as keyof typeof METRICS];
      expect(request).toMatchObject({
        unit: spec.unit,
        period: spec.period,
        statistics: spec.maximum ? [spec.statistic, "Maximum"] : [spec.statistic],
      });
    }
    expect(keyDirs().length).toBe(before);
  });

  it("fetches fresh access when the certificate was refused, and when it has expired", async () => {
    const { shell } = parts();
    const start = fake.accessRequests;
    fake.issueExpiredCertificateNext();
    expect((await shell.run("echo ok")).stdout).toBe("ok\n");
    expect(fake.accessRequests).toBe(start + 2);
    expect((await shell.run("echo again")).stdout).toBe("again\n");
    expect(fake.accessRequests).toBe(start + 2); // still valid: reused
    clock += 10 * 60_000;
    await shell.run("true");
    expect(fake.accessRequests).toBe(start + 3);
  });

  it("hands `input` to the script's stdin, the script travelling as the command", async () => {
    const { shell } = parts();
    const secret = "fake-secret-with 'quotes' and $dollars\n";
    const bytes = new Uint8Array([0, 1, 2, 255, 10, 39]);
    const piped = await shell.run('wc -c; echo "it\'s $((1 + 1))"', { input: bytes });
    expect(piped.stdout).toBe("6\nit's 2\n");
    // The input reaches the script byte for byte, and the script's own quotes survive.
    const echoed = await shell.run("cat", { input: secret });
    expect(echoed.stdout).toBe(secret);
  });

  it("never presents access whose expiry has passed: it fetches fresh access first", async () => {
    const { shell } = parts();
    const start = fake.accessRequests;
    const logged = sshd.log().length;
    fake.issueExpiredAccessNext();
    expect((await shell.run("echo fresh")).stdout).toBe("fresh\n");
    expect(fake.accessRequests).toBe(start + 2);
    // sshd never saw the expired certificate.
    expect(sshd.log().slice(logged)).not.toMatch(/expired/i);
  });

  it("refuses a host whose key the API did not report, and leaves no key behind", async () => {
    const before = keyDirs().length;
    const other = await generateKey(tmpdir(), `other-${process.pid}`);
    const [algorithm, publicKey] = other.publicKey.split(" ");
    fake.setHostKeys(INSTANCE, [
      { algorithm: algorithm as string, publicKey: publicKey as string },
    ]);
    try {
      const refused = await parts()
        .shell.run("echo hi")
        .catch((error: Error & { code?: string }) => error);
      expect(refused).toMatchObject({ code: "HOST_KEY_MISMATCH" });
      // One line, one reason.
      expect((refused as Error).message).toBe(
        "127.0.0.1 presented a host key that Lightsail did not report: refused (possible interception, or a rebuilt instance)",
      );
    } finally {
      fake.setHostKeys(INSTANCE, sshd.hostKeys);
    }
    expect(keyDirs().length).toBe(before);
  });

  it("tunnels a local port to the instance's loopback, and closes it", async () => {
    // The "daemon" on the instance: a loopback server (sshd runs here, so its 127.0.0.1 is ours).
    const daemon = createHttpServer((_, response) => response.end("jada dashboard"));
    daemon.listen(0, "127.0.0.1");
    await once(daemon, "listening");
    const remotePort = (daemon.address() as { port: number }).port;
    const before = keyDirs().length;
    const { api } = parts();
    const tunnel = await openSshTunnel({
      getAccess: () => api.getAccessDetails(INSTANCE),
      port: sshd.port,
      remotePort,
      connectTimeoutSeconds: 3,
      clock: { now: () => clock },
    });
    try {
      expect(tunnel.localPort).not.toBe(remotePort);
      const response = await fetch(`http://127.0.0.1:${tunnel.localPort}/`);
      expect(await response.text()).toBe("jada dashboard");
      // ssh has read the key: none is left on disk while the tunnel is up.
      expect(keyDirs().length).toBe(before);
    } finally {
      await tunnel.close();
      daemon.close();
    }
    await tunnel.closed;
    await expect(fetch(`http://127.0.0.1:${tunnel.localPort}/`)).rejects.toThrow();
  });

  it("opens no tunnel to a host whose key the API did not report", async () => {
    const other = await generateKey(tmpdir(), `tunnel-${process.pid}`);
    const [algorithm, publicKey] = other.publicKey.split(" ");
    fake.setHostKeys(INSTANCE, [
      { algorithm: algorithm as string, publicKey: publicKey as string },
    ]);
    const { api } = parts();
    try {
      await expect(
        openSshTunnel({
          getAccess: () => api.getAccessDetails(INSTANCE),
          port: sshd.port,
          remotePort: 9,
          connectTimeoutSeconds: 3,
        }),
      ).rejects.toMatchObject({ code: "HOST_KEY_MISMATCH" });
    } finally {
      fake.setHostKeys(INSTANCE, sshd.hostKeys);
    }
  });

  it("says which local port is taken", async () => {
    const taken = createServer();
    taken.listen(0, "127.0.0.1");
    await once(taken, "listening");
    const localPort = (taken.address() as { port: number }).port;
    const { api } = parts();
    try {
      await expect(
        openSshTunnel({
          getAccess: () => api.getAccessDetails(INSTANCE),
          port: sshd.port,
          remotePort: 9,
          localPort,
          connectTimeoutSeconds: 3,
        }),
      ).rejects.toThrow(`local port ${localPort} is taken`);
    } finally {
      taken.close();
    }
  });

  it("stops a command past its time limit, and says it", async () => {
    await expect(parts().shell.run("sleep 10", { timeoutMs: 500 })).rejects.toMatchObject({
      code: "SSH_TIMEOUT",
    });
  });

  it("says it cannot connect when nothing listens", async () => {
    await expect(parts(INSTANCE, 1).shell.run("true")).rejects.toMatchObject({
      code: "SSH_CONNECT_FAILED",
    });
  });

  it("says once that Lightsail does not know an instance", async () => {
    const report = await checkHealth({ instance: "nope", ...parts("nope") });
    expect(report.verdict).toBe("UNKNOWN");
    expect(report.unobserved).toEqual([
      "Lightsail refused temporary access to nope: NotFoundException: The Instance does not exist: nope",
    ]);
  });

  it("asks a 48-hour window within CloudWatch's 1,440 points, and every metric answers", async () => {
    const from = fake.metricRequests.length;
    const report = await checkHealth({ instance: INSTANCE, ...parts(), since: "-48h" });
    const asked = fake.metricRequests.slice(from);
    for (const request of asked)
      expect((request.end - request.start) / 1000 / request.period).toBeLessThanOrEqual(1440);
    // Per-minute status checks: two requests of a day each; the rest fit in one.
    expect(asked.filter((request) => request.metric === "StatusCheckFailed")).toHaveLength(2);
    expect(report.unobserved.filter((line) => line.startsWith("metric"))).toEqual([]);
    expect(Object.keys(report.metrics).sort()).toEqual(Object.keys(METRICS).sort());
    const cpu = asked.find((request) => request.metric === "CPUUtilization");
    expect(cpu?.statistics).toEqual(["Average", "Maximum"]);
  });

  it("is UNKNOWN, never OK, when the unit is missing or the API refuses", async () => {
    const quiet = parts("quiet", quietSshd.port);
    // The probe reads this machine's own load: a loaded test machine must not make it CRITICAL.
    const thresholds = { loadWarningPerCpu: 1e6, loadCriticalPerCpu: 1e6 };
    const missing = await checkHealth({ instance: "quiet", ...quiet, thresholds });
    expect(missing.unobserved).toContain("systemctl: unit jada-agent.service not found");
    expect(missing.verdict).toBe("UNKNOWN");

    fake.failNext("GetInstanceAccessDetails", "AccessDeniedException", "not allowed");
    const denied = await checkHealth({
      instance: "quiet",
      ...parts("quiet", quietSshd.port),
      thresholds,
    });
    expect(denied.verdict).toBe("UNKNOWN");
    expect(denied.unobserved[0]).toMatch(
      /^ssh: Lightsail refused temporary access to quiet: AccessDeniedException/,
    );
  });
});
