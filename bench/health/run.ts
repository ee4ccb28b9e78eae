// Benchmark of `checkHealth` against its anchor, the health check the team ran by hand: get
// temporary access, then one `ssh` per command, then the metrics one after another.
//
//   npm run build && node bench/health/run.ts [--runs 5]      (as root: it starts an sshd)
//
// Both sides use the same loopback Lightsail (the real @aws-sdk/client-lightsail) and the same
// real sshd on 127.0.0.1, whose sessions find the systemctl/journalctl stand-ins of the tests.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { LightsailClient } from "@aws-sdk/client-lightsail";
import { checkHealth, createOpenSshShell, METRICS, type MetricName } from "@jada/lightsail-health";
import { createLightsailApi } from "@jada/lightsail-health/aws";
import { canRunSshd, startLightsailFake, startTestSshd } from "@jada/lightsail-health/testing";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const available = canRunSshd();
if (!available.ok) throw new Error(`bench/health needs sshd: ${available.why}`);

const shims = fileURLToPath(new URL("../../packages/lightsail-health/test/shims", import.meta.url));
const sshd = await startTestSshd({ pathPrefix: shims });
const instance = "jada-orchestrator";
const fake = await startLightsailFake({
  instances: {
    [instance]: {
      address: sshd.address,
      username: sshd.username,
      hostKeys: sshd.hostKeys,
      caKeyPath: sshd.caKeyPath,
    },
  },
});
const client = new LightsailClient({
  region: "us-west-2",
  endpoint: fake.endpoint,
  credentials: { accessKeyId: "a", secretAccessKey: "b" },
});
const api = createLightsailApi(client);
const exec = promisify(execFile);

async function jada(): Promise<void> {
  // A new shell each time: fresh access, as a new `jada health` process gets.
  const shell = createOpenSshShell({
    getAccess: () => api.getAccessDetails(instance),
    port: sshd.port,
  });
  const report = await checkHealth({ instance, api, shell, since: "-2h" });
  if (report.unobserved.length > 0)
    throw new Error(`jada did not see everything: ${report.unobserved.join("; ")}`);
}

// The sequence by hand: access details, key files, one ssh per command, metrics in turn.
async function byHand(): Promise<void> {
  const access = await api.getAccessDetails(instance);
  const dir = await mkdtemp(join(tmpdir(), "jada-bench-ssh-"));
  try {
    await writeFile(join(dir, "id"), access.privateKey, { mode: 0o600 });
    await writeFile(join(dir, "id-cert.pub"), `${access.certificate}\n`, { mode: 0o600 });
    await writeFile(
      join(dir, "known_hosts"),
      access.hostKeys
        .map((key) => `[${access.address}]:${sshd.port} ${key.algorithm} ${key.publicKey}\n`)
        .join(""),
    );
    const ssh = (command: string) =>
      exec(
        "ssh",
        [
          "-F",
          "/dev/null",
          "-i",
          join(dir, "id"),
          "-o",
          `CertificateFile=${join(dir, "id-cert.pub")}`,
          "-o",
          `UserKnownHostsFile=${join(dir, "known_hosts")}`,
          "-o",
          "StrictHostKeyChecking=yes",
          "-o",
          "BatchMode=yes",
          "-p",
          String(sshd.port),
          `${access.username}@${access.address}`,
          command,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
    for (const command of [
      "systemctl status jada-agent.service",
      "journalctl -u jada-agent.service -n 50 --no-pager",
      "ps -o pid=,pcpu=,rss= -p 812",
      "cat /proc/loadavg",
      "cat /proc/meminfo",
      "df -h /",
      "uptime",
    ]) {
      await ssh(command).catch(() => undefined); // the shims know `show` only; a failed status still costs its round trip
    }
    const end = new Date();
    const start = new Date(end.getTime() - 2 * 3_600_000);
    for (const metric of Object.keys(METRICS) as MetricName[]) {
      const spec = METRICS[metric];
      await api.getMetricData(instance, {
        metric,
        start,
        end,
        period: spec.period,
        unit: spec.unit,
        statistics: [spec.statistic],
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function time(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

try {
  await jada();
  await byHand(); // warm-up of both
  const jadaTimes: number[] = [];
  const handTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so that noise hits both alike.
    jadaTimes.push(await time(jada));
    handTimes.push(await time(byHand));
  }
  const j = median(jadaTimes);
  const h = median(handTimes);
  process.stdout.write(
    [
      `node ${process.version}; median of ${runs} interleaved runs after a warm-up; loopback Lightsail, real sshd on 127.0.0.1`,
      "",
      "| check | time | requests |",
      "|---|---|---|",
      `| jada checkHealth (1 ssh, 8 metrics in parallel) | ${(j * 1000).toFixed(0)} ms | 1 access + 1 ssh + 8 metric calls |`,
      `| by hand (1 ssh per command, metrics in turn) | ${(h * 1000).toFixed(0)} ms | 1 access + 7 ssh + 8 metric calls |`,
      `| by hand / jada | ${(h / j).toFixed(1)}x | |`,
      "",
    ].join("\n"),
  );
} finally {
  await fake.close();
  await sshd.stop();
}
