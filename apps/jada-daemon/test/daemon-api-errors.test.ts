// `jada daemon` against a Messages API that refuses the key, as systemd runs it: the built binary
// as a subprocess against the loopback Messages API. Never a request storm; one pause line with
// the fix; SIGHUP with a fixed key resumes.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FakeReply, startMessagesFake } from "@jada/orchestrator/testing";
import { afterEach, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const complete: FakeReply = {
  content: [{ type: "tool_use", id: "toolu_1", name: "complete_task", input: { result: "ok" } }],
};
const refused: FakeReply = {
  error: { status: 401, type: "authentication_error", message: "invalid x-api-key" },
};

// A Messages API that accepts one key only (the SDK sends it as a bearer token).
async function apiAccepting(goodKey: string) {
  const fake = await startMessagesFake((request) =>
    request.headers["authorization"] === `Bearer ${goodKey}` ||
    request.headers["x-api-key"] === goodKey
      ? complete
      : refused,
  );
  cleanups.push(() => fake.close());
  return fake;
}

async function workspace(config: unknown = {}) {
  const dir = await mkdtemp(join(tmpdir(), "jada-daemon-errors-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "jada.config.json"), JSON.stringify(config));
  return dir;
}

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

// The daemon as a child whose JSON lines can be waited for.
function start(dir: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { PATH: process.env["PATH"] ?? "", JADA_DATA_DIR: join(dir, "data"), ...env },
  });
  const lines: LogLine[] = [];
  let stderr = "";
  let partial = "";
  const waiters: Array<() => void> = [];
  child.stdout.on("data", (chunk: Buffer) => {
    partial += chunk.toString("utf8");
    const complete = partial.split("\n");
    partial = complete.pop() ?? "";
    // The daemon's log lines are JSON; other commands print text.
    for (const line of complete) if (line.startsWith("{")) lines.push(JSON.parse(line) as LogLine);
    for (const waiter of waiters.splice(0)) waiter();
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    async when(match: RegExp, count = 1) {
      while (lines.filter((line) => match.test(line.msg)).length < count) {
        if (child.exitCode !== null) throw new Error(`jada exited early: ${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

const jada = async (dir: string, args: string[], env: Record<string, string> = {}) => {
  const run = start(dir, args, env);
  const code = await run.exited;
  return { code, lines: run.lines, stderr: run.stderr() };
};

describe("jada daemon with a refused API key", () => {
  it("--once: one request, one pause line at level error with the fix, exit 1", async () => {
    const fake = await apiAccepting("sk-ant-good");
    const dir = await workspace();
    const env = { ANTHROPIC_API_KEY: "sk-ant-revoked", ANTHROPIC_BASE_URL: fake.baseURL };
    for (const title of ["one", "two", "three"]) await jada(dir, ["task", "add", title]);
    const run = await jada(dir, ["daemon", "--once"], env);
    expect(run.code).toBe(1);
    expect(fake.requests).toHaveLength(1);
    const pauses = run.lines.filter((line) => line.msg.startsWith("sessions paused"));
    expect(pauses).toHaveLength(1);
    expect(pauses[0]?.level).toBe(50);
    expect(pauses[0]?.msg).toMatch(
      /^sessions paused: the API refused the key \(401 authentication_error\); fix: put a valid key in ANTHROPIC_API_KEY_FILE/,
    );
    // No line of the run carries the key.
    expect(JSON.stringify(run.lines)).not.toContain("sk-ant-revoked");

    const quota = JSON.parse(await runText(dir, ["quota", "--json"]));
    expect(quota).toMatchObject({ used: 0, paused: { reason: "auth" } });
    const text = await runText(dir, ["quota"]);
    expect(text).toMatch(/^sessions paused since .*: the API refused the key/m);
    const [first] = JSON.parse(await runText(dir, ["task", "list", "--json"]));
    const shown = JSON.parse(await runText(dir, ["task", "show", first.id, "--json"]));
    expect(shown).toMatchObject({ status: "pending", attempts: 0, requeues: { auth: 1 } });
    expect(await runText(dir, ["task", "show", first.id])).toContain(
      "sessions that failed and requeued it: 1 (auth 1)",
    );
  });

  it("runs: one request, then one per probe interval; SIGHUP with a fixed key file resumes", async () => {
    const fake = await apiAccepting("sk-ant-good");
    const dir = await workspace({ agent: { pausedProbeSeconds: 1, pollSeconds: 3600 } });
    const keyFile = join(dir, "anthropic-key");
    await writeFile(keyFile, "sk-ant-revoked\n", { mode: 0o600 });
    await jada(dir, ["task", "add", "Reconcile bookings"]);
    const daemon = start(dir, ["daemon", "--no-http"], {
      ANTHROPIC_API_KEY_FILE: keyFile,
      ANTHROPIC_BASE_URL: fake.baseURL,
    });
    await daemon.when(/^sessions paused/);
    await daemon.when(/^sessions still paused/, 2);
    await writeFile(keyFile, "sk-ant-good\n");
    daemon.child.kill("SIGHUP");
    await daemon.when(/^session completed/);
    daemon.child.kill("SIGTERM");
    expect(await daemon.exited).toBe(0);

    // One request, one per probe interval (by the daemon's own clock: a loaded machine may
    // fit in another probe before the key is fixed), then one with the fixed key.
    const pause = daemon.lines.find((line) => line.msg.startsWith("sessions paused"));
    const probes = daemon.lines.filter((line) => line.msg.startsWith("sessions still paused"));
    expect(probes.length).toBeGreaterThanOrEqual(2);
    expect((probes[1]?.["time"] as number) - (pause?.["time"] as number)).toBeGreaterThanOrEqual(
      1990,
    );
    expect(fake.requests).toHaveLength(1 + probes.length + 1);
    const levels = daemon.lines
      .filter((line) => /paused|resumed|SIGHUP/.test(line.msg))
      .map((line) => [line.level, line.msg.split(":")[0]]);
    expect(levels).toEqual([
      [50, "sessions paused"],
      ...probes.map(() => [40, "sessions still paused"]),
      [30, "SIGHUP"],
      [30, "sessions resumed"],
    ]);
    expect(JSON.stringify(daemon.lines)).not.toMatch(/sk-ant-(revoked|good)/);
    const [task] = JSON.parse(await runText(dir, ["task", "list", "--json"]));
    expect(task).toMatchObject({ status: "done", attempts: 1 });
  });

  it("--once against an unreachable API: the failure at warn with its retry time, exit 1", async () => {
    const dir = await workspace();
    await jada(dir, ["task", "add", "one"]);
    await jada(dir, ["task", "add", "two"]);
    const run = await jada(dir, ["daemon", "--once"], {
      ANTHROPIC_API_KEY: "sk-ant-test",
      // Nothing listens on port 9 of loopback (discard is not served here): refused at once.
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
    });
    expect(run.code).toBe(1);
    const failures = run.lines.filter((line) => line.msg.startsWith("session failed"));
    // One session: the task waits out its backoff, and the pass never claims it (or the next
    // task, while the API is down) again.
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 40, outcome: "error", status: "pending" });
    expect(failures[0]?.msg).toMatch(/^session failed \(network\): one; retried after 20\d\d-/);
  });

  it("names an unreadable key file in one line, without a stack", async () => {
    const dir = await workspace();
    const run = await jada(dir, ["daemon", "--once"], {
      ANTHROPIC_API_KEY_FILE: join(dir, "missing-key"),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^jada: cannot read ANTHROPIC_API_KEY_FILE .*missing-key \(ENOENT\)\n$/,
    );
  });
});

async function runText(dir: string, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { PATH: process.env["PATH"] ?? "", JADA_DATA_DIR: join(dir, "data") },
  });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  await once(child, "exit");
  return out;
}
