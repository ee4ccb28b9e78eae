// Benchmarks of the daemon on its host. Needs root (sshd, a memory cgroup) and a build.
//
//   npm run build && node bench/install/run.ts [--samples 3] [--idle-seconds 30]
//     (npm run bench:install)
//
// 1. `jada install` over real OpenSSH from a warm local registry (Verdaccio holding every
//    package, each install onto a fresh host directory with an empty npm cache), beside the
//    anchor: a bare `npm install @jada/daemon@VERSION` from the same registry with an empty
//    cache, in the same run. Also the second, unchanged install.
// 2. The service's memory under the unit's MemoryMax=700M (a memory cgroup with that limit):
//    `jada daemon` with its jobs and HTTP server on, after a session, a job run through the API,
//    the dashboard's pages and a /metrics scrape, then idle. RSS and the cgroup's usage and peak
//    beside the anchor: a bare `node` process that does nothing.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { canRunSshd, startLightsailFake, startTestSshd } from "@jada/lightsail-health/testing";
import { createSqliteTaskStore } from "@jada/orchestrator/sqlite";
import { startMessagesFake } from "@jada/orchestrator/testing";
import { startDaemon } from "../../apps/jada-daemon/test/daemon-process.ts";
import { startRegistry } from "../../tests/release/registry.ts";
import { publishableWorkspaces, repo, run } from "../../tests/release/workspaces.ts";

const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "3" },
    "idle-seconds": { type: "string", default: "30" },
    "memory-only": { type: "boolean", default: false },
  },
});
const samples = Number(values.samples);
const idleSeconds = Number(values["idle-seconds"]);
const cli = fileURLToPath(new URL("../../apps/jada-daemon/dist/cli.js", import.meta.url));
const ssh = canRunSshd();
if (!ssh.ok) throw new Error(`this benchmark needs sshd: ${ssh.why}`);

const workspaces = publishableWorkspaces();
const version = workspaces.find((workspace) => workspace.name === "@jada/daemon")?.version;
const dir = await mkdtemp(join(tmpdir(), "jada-bench-install-"));
const rows: string[] = [];
let round = 0;
const fresh = () => join(dir, `round-${round++}`);
const median = (list: number[]) =>
  [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function exec(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
) {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const [code] = (await once(child, "exit")) as [number];
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`);
  return output;
}

const registry = await startRegistry(
  run("npm", ["config", "get", "registry"], { cwd: repo }).trim() || "https://registry.npmjs.org/",
);
try {
  // 1. Install time from a warm registry.
  if (!values["memory-only"]) await installTimes();
  process.stderr.write(`${rows.join("\n")}\n`);

  // 2. The service's memory under MemoryMax.
  const messages = await startMessagesFake(() => ({
    content: [{ type: "tool_use", id: "toolu_1", name: "complete_task", input: { result: "ok" } }],
  }));
  const work = fresh();
  mkdirSync(join(work, "data"), { recursive: true });
  writeFileSync(join(work, "jada.config.json"), JSON.stringify({ http: { port: 0 } }));
  const store = createSqliteTaskStore({ path: join(work, "data", "jada.db") });
  await store.add({ title: "one session before idling" });
  await store.close();
  const group = memoryGroup("jada-bench", 700 * 1024 * 1024);
  // Born in the group (as systemd starts a unit in its cgroup): this process steps in for the
  // spawn, which happens before startDaemon's first await, then steps out again.
  group.add(process.pid);
  const starting = startDaemon(work, {
    JADA_DATA_DIR: join(work, "data"),
    ANTHROPIC_API_KEY: "fake-bench-key",
    ANTHROPIC_BASE_URL: messages.baseURL,
  });
  group.leave(process.pid);
  const daemon = await starting;
  await daemon.when(/^session completed/);
  const session = (await (await fetch(`${daemon.url}/api/session`)).json()) as { csrf: string };
  await fetch(`${daemon.url}/api/jobs/self-check/run`, {
    method: "POST",
    headers: { "x-csrf-token": session.csrf },
  });
  await daemon.when(/^job self-check ok/);
  for (const path of ["/", "/tasks", "/jobs", "/alerts", "/tokens", "/metrics"])
    await (await fetch(`${daemon.url}${path}`)).text();
  const peakBusy = group.peak();
  // Settled: the model process gone (30 s after its last call), the garbage given back.
  await new Promise((resolve) => setTimeout(resolve, 35_000));
  let rss = 0;
  let usage = 0;
  for (let i = 0; i < idleSeconds; i++) {
    rss = Math.max(rss, rssOf(daemon.child.pid as number));
    usage = Math.max(usage, group.usage());
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const failures = group.failures();
  await daemon.stop();
  await messages.close();
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const bareRss = rssOf(bare.pid as number);
  bare.kill();
  group.remove();
  const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
  rows.push(
    `| anchor: a bare \`node\` doing nothing | ${mb(bareRss)} RSS | - | - |`,
    `| \`jada daemon\`, jobs and HTTP on, idle after a session, a job run, the dashboard and /metrics | ${mb(rss)} RSS (${(rss / bareRss).toFixed(2)}x the anchor); cgroup ${mb(usage)} (what MemoryMax counts: RSS and page cache) | ${idleSeconds} s idle, max | under MemoryHigh=500M |`,
    `| the same, while busy (model process alive) | cgroup peak ${mb(peakBusy)}; limit hit ${failures} times | MemoryMax=700M | under 700M, 0 hits |`,
  );
} finally {
  await registry.stop();
  await rm(dir, { recursive: true, force: true });
}

process.stdout.write(
  `\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, \`node bench/install/run.ts ${process.argv.slice(2).join(" ")}\`:\n\n| what | figure | detail | target |\n|---|---|---|---|\n${rows.join("\n")}\n`,
);

async function installTimes(): Promise<void> {
  for (const workspace of workspaces)
    run("npm", ["publish", "--ignore-scripts", "--registry", registry.url], {
      cwd: workspace.dir,
      env: { npm_config_userconfig: registry.npmrc, npm_config_cache: join(dir, "publish-cache") },
    });
  const shims = join(dir, "shims");
  mkdirSync(shims);
  writeFileSync(
    join(shims, "systemctl"),
    "#!/bin/sh\n[ \"$1\" = show ] && printf 'ActiveState=active\\nSubState=running\\nResult=success\\nNRestarts=0\\nStatusText=idle\\n'\nexit 0\n",
    { mode: 0o755 },
  );
  const sshdRoot = join(dir, "host");
  const sshd = await startTestSshd({
    pathPrefix: `${shims}:${dirname(process.execPath)}`,
    // The host's npm cache under its root: a fresh root is an empty cache.
    env: {
      JADA_INSTALL_ROOT: sshdRoot,
      npm_config_cache: join(sshdRoot, "npm-cache"),
      npm_config_update_notifier: "false",
    },
  });
  const fake = await startLightsailFake({
    instances: {
      host: {
        address: sshd.address,
        username: sshd.username,
        hostKeys: sshd.hostKeys,
        caKeyPath: sshd.caKeyPath,
      },
    },
  });
  writeFileSync(
    join(dir, "jada.config.json"),
    JSON.stringify({
      instances: {
        host: {
          region: "us-west-2",
          port: sshd.port,
          serviceUser: "nobody",
          registry: registry.url,
        },
      },
    }),
  );
  mkdirSync(join(dir, "tmp"));
  const env = {
    PATH: process.env["PATH"] ?? "",
    TMPDIR: join(dir, "tmp"),
    AWS_ENDPOINT_URL_LIGHTSAIL: fake.endpoint,
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_REGION: "us-west-2",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const install = () =>
    exec(process.execPath, [cli, "install", "host", "--to", version ?? "latest", "--no-health"], {
      cwd: dir,
      env: { ...env },
    });
  const anchor = async () => {
    const target = fresh();
    mkdirSync(target);
    await exec(
      "npm",
      [
        "install",
        "--prefix",
        target,
        "--omit=dev",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "--registry",
        registry.url,
        `@jada/daemon@${version}`,
      ],
      { cwd: target, env: { PATH: env.PATH, npm_config_cache: join(target, ".npm") } },
    );
  };
  // Warm the registry: every tarball fetched from upstream once.
  await anchor();
  const installs: number[] = [];
  const anchors: number[] = [];
  const unchanged: number[] = [];
  for (let i = 0; i < samples; i++) {
    anchors.push(await timed(anchor));
    await rm(sshdRoot, { recursive: true, force: true });
    installs.push(await timed(install));
    unchanged.push(await timed(install));
  }
  await fake.close();
  await sshd.stop();
  const installMedian = median(installs);
  const anchorMedian = median(anchors);
  rows.push(
    `| anchor: \`npm install @jada/daemon@${version}\`, warm registry, empty cache | ${seconds(anchorMedian)} | median of ${samples} | - |`,
    `| \`jada install\` over SSH, warm registry, fresh host | ${seconds(installMedian)} (${(installMedian / anchorMedian).toFixed(2)}x the anchor) | median of ${samples}; probe, npm install, switch, service install, READY | - |`,
    `| \`jada install\` again, nothing to change | ${seconds(median(unchanged))} (${(median(unchanged) / anchorMedian).toFixed(2)}x) | median of ${samples}; says "nothing changed" | - |`,
  );
}

function rssOf(pid: number): number {
  return (
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024
  );
}

// A memory cgroup with a hard limit, v2 (memory.max) or v1 (memory.limit_in_bytes): what
// systemd's MemoryMax= sets for the unit.
function memoryGroup(name: string, limit: number) {
  const v2 = "/sys/fs/cgroup";
  const v1 = "/sys/fs/cgroup/memory";
  const isV2 = existsSync(join(v2, "cgroup.controllers"));
  const path = join(isV2 ? v2 : v1, name);
  if (!existsSync(path)) mkdirSync(path);
  const file = (v2name: string, v1name: string) => join(path, isV2 ? v2name : v1name);
  writeFileSync(file("memory.max", "memory.limit_in_bytes"), String(limit));
  const read = (v2name: string, v1name: string) => {
    const text = readFileSync(file(v2name, v1name), "utf8");
    return isV2 && v2name === "memory.events"
      ? Number(/^max (\d+)/m.exec(text)?.[1] ?? 0)
      : Number(text.trim());
  };
  return {
    add: (pid: number) => writeFileSync(join(path, "cgroup.procs"), String(pid)),
    leave: (pid: number) => writeFileSync(join(isV2 ? v2 : v1, "cgroup.procs"), String(pid)),
    usage: () => read("memory.current", "memory.usage_in_bytes"),
    peak: () => read("memory.peak", "memory.max_usage_in_bytes"),
    failures: () => read("memory.events", "memory.failcnt"),
    remove: () => rmdirSync(path),
  };
}
