// `jada task`, `jada quota` and `jada daemon` as a user (and systemd) runs them: the built binary
// as a subprocess, on a data directory, against the loopback Messages API.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  dropTestSchema,
  type FakeReply,
  postgresAvailable,
  startMessagesFake,
  TEST_DATABASE_URL,
  testSchemaName,
} from "@jada/orchestrator/testing";
import { afterEach, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function workspace() {
  const dir = await mkdtemp(join(tmpdir(), "jada-agent-cli-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function start(dir: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { PATH: process.env["PATH"] ?? "", JADA_DATA_DIR: join(dir, "data"), ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const done = once(child, "exit").then(([code]) => ({
    code: code as number | null,
    stdout,
    stderr,
  }));
  return { child, done };
}

const jada = (dir: string, args: string[], env: Record<string, string> = {}) =>
  start(dir, args, env).done;

describe("jada jobs and jada alerts, the built binary", () => {
  it("lists the jobs and the alerts as JSON, and refuses an unknown job with exit 2", async () => {
    const dir = await workspace();
    const listed = await jada(dir, ["jobs", "list", "--json"]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((job: { name: string }) => job.name)).toEqual([
      "tokens-check",
      "self-check",
    ]);
    const alerts = await jada(dir, ["alerts", "list", "--json"]);
    expect([alerts.code, JSON.parse(alerts.stdout)]).toEqual([0, []]);
    const ran = await jada(dir, ["jobs", "run", "self-check", "--json"]);
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({
      job: "self-check",
      outcome: "ok",
      manual: true,
    });
    const unknown = await jada(dir, ["jobs", "history", "self-check", "--limit", "0"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--limit must be a whole number of at least 1");
  });
});

describe("jada on a fresh data directory", () => {
  it("comes up in five processes started at once", async () => {
    const dir = await workspace();
    const runs = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => jada(dir, ["task", "add", `task ${n}`])),
    );
    expect(runs.map((run) => [run.code, run.stderr])).toEqual([1, 2, 3, 4, 5].map(() => [0, ""]));
    expect(JSON.parse((await jada(dir, ["task", "list", "--json"])).stdout)).toHaveLength(5);
  });
});

describe("jada daemon", () => {
  it("says plainly that sessions are paused without an API key, and keeps the task queued", async () => {
    const dir = await workspace();
    await jada(dir, ["task", "add", "t"]);
    const run = await jada(dir, ["daemon", "--once"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("sessions are paused: no model is configured; tasks stay queued");
    expect(run.stdout).toContain("fix: set ANTHROPIC_API_KEY");
    expect(JSON.parse((await jada(dir, ["task", "list", "--json"])).stdout)[0].status).toBe(
      "pending",
    );
  });

  it("runs queued tasks with --once and logs each session as a JSON line", async () => {
    const fake = await startMessagesFake(() => ({
      content: [
        {
          type: "tool_use",
          id: "toolu_1",
          name: "complete_task",
          input: { result: "reconciled 12 rows" },
        },
      ],
    }));
    cleanups.push(() => fake.close());
    const dir = await workspace();
    await jada(dir, ["task", "add", "Reconcile bookings"]);
    const run = await jada(dir, ["daemon", "--once"], {
      ANTHROPIC_API_KEY: "sk-ant-test",
      ANTHROPIC_BASE_URL: fake.baseURL,
    });
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.find((line) => line.msg.startsWith("session completed"))).toMatchObject({
      outcome: "completed",
      turns: 1,
      status: "done",
    });
    const [task] = JSON.parse((await jada(dir, ["task", "list", "--json"])).stdout);
    expect(task).toMatchObject({ status: "done", result: "reconciled 12 rows" });
    expect(JSON.parse((await jada(dir, ["quota", "--json"])).stdout).used).toBe(1);
  });

  it("on SIGTERM mid-session finishes the call, saves a checkpoint, releases the lease and exits 0", async () => {
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fake = await startMessagesFake(async (): Promise<FakeReply> => {
      await held; // the first call is in flight when the signal comes
      return {
        content: [
          { type: "text", text: "read 40 of 120 rows" },
          {
            type: "tool_use",
            id: "toolu_9",
            name: "save_checkpoint",
            input: { done: ["rows 1-40"], next: ["rows 41-120"], facts: [] },
          },
        ],
      };
    });
    cleanups.push(() => fake.close());
    const dir = await workspace();
    const { id } = JSON.parse(
      (await jada(dir, ["task", "add", "Long reconciliation", "--json"])).stdout,
    );
    const daemon = start(dir, ["daemon", "--no-http"], {
      ANTHROPIC_API_KEY: "sk-ant-test",
      ANTHROPIC_BASE_URL: fake.baseURL,
    });
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    daemon.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    release?.();
    const exit = await daemon.done;
    expect(exit.code).toBe(0);
    expect(fake.requests).toHaveLength(1);
    const shown = JSON.parse((await jada(dir, ["task", "show", id, "--json"])).stdout);
    expect(shown).toMatchObject({
      status: "pending",
      leaseOwner: null,
      checkpoint: { done: ["rows 1-40"], next: ["rows 41-120"], source: "agent" },
    });
    expect(shown.sessions[0]).toMatchObject({
      turns: 1,
      outcome: "max_turns",
      error: "interrupted after 1 turns: the worker was stopping",
    });
  });

  it("after kill -9 mid-session, another daemon resumes the task from its checkpoint once the lease expires", async () => {
    let release: () => void = () => {};
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fake = await startMessagesFake(async (request): Promise<FakeReply> => {
      const first = JSON.stringify(request.messages[0]);
      if (first.includes("rows 1-40"))
        return {
          content: [
            {
              type: "tool_use",
              id: "toolu_2",
              name: "complete_task",
              input: { result: "all rows" },
            },
          ],
        };
      if (request.messages.length === 1)
        return {
          content: [
            {
              type: "tool_use",
              id: "toolu_1",
              name: "save_checkpoint",
              input: { done: ["rows 1-40"], next: ["rows 41-120"], facts: [] },
            },
          ],
        };
      await hold; // the second call is in flight when the daemon is killed
      return { content: [{ type: "text", text: "too late" }] };
    });
    cleanups.push(async () => {
      release();
      await fake.close();
    });
    const dir = await workspace();
    await writeFile(join(dir, "jada.config.json"), JSON.stringify({ agent: { leaseSeconds: 5 } }));
    const env = { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: fake.baseURL };
    const { id } = JSON.parse((await jada(dir, ["task", "add", "Reconcile", "--json"])).stdout);
    const daemon = start(dir, ["daemon", "--no-http"], env);
    while (fake.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    daemon.child.kill("SIGKILL");
    expect((await daemon.done).code).toBeNull();

    // The lease is still live: nobody else may take the task yet, and its checkpoint is stored.
    const early = await jada(dir, ["daemon", "--once"], env);
    expect(early.stdout).toContain("ran 0 sessions (0 failed); now idle");
    const running = JSON.parse((await jada(dir, ["task", "show", id, "--json"])).stdout);
    expect(running).toMatchObject({
      status: "running",
      checkpoint: { done: ["rows 1-40"], source: "agent" },
    });

    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const resumed = await jada(dir, ["daemon", "--once"], env);
    expect(resumed.stdout).toContain("ran 1 session (0 failed); now idle");
    expect(JSON.stringify(fake.requests[2]?.messages[0])).toContain("rows 41-120");
    const shown = JSON.parse((await jada(dir, ["task", "show", id, "--json"])).stdout);
    expect(shown).toMatchObject({ status: "done", result: "all rows", attempts: 2 });
    expect(shown.sessions.map((session: { outcome: string }) => session.outcome)).toEqual([
      "error",
      "completed",
    ]);
    expect(shown.sessions[0].error).toContain("lease expired");
  }, 20_000);
});

const postgres = await postgresAvailable();
if (!postgres.ok) console.warn(`skipping jada on Postgres: ${postgres.reason}`);

describe.skipIf(!postgres.ok)("jada on Postgres (JADA_DATABASE_URL)", () => {
  it("migrates explicitly, then queues and runs tasks in the shared database", async () => {
    const fake = await startMessagesFake(() => ({
      content: [
        { type: "tool_use", id: "toolu_1", name: "complete_task", input: { result: "ok" } },
      ],
    }));
    const dir = await workspace();
    const schema = testSchemaName();
    cleanups.push(async () => {
      await fake.close();
      await dropTestSchema(schema);
    });
    await writeFile(join(dir, "jada.config.json"), JSON.stringify({ database: { schema } }));
    const env = {
      JADA_DATABASE_URL: TEST_DATABASE_URL,
      ANTHROPIC_API_KEY: "sk-ant-test",
      ANTHROPIC_BASE_URL: fake.baseURL,
    };
    const first = await jada(dir, ["migrate", "--json"], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ applied: [1, 2, 3, 4] });
    expect((await jada(dir, ["migrate"], env)).stdout).toContain(`schema ${schema}): up to date`);
    const { id } = JSON.parse((await jada(dir, ["task", "add", "Shared", "--json"], env)).stdout);
    const run = await jada(dir, ["daemon", "--once"], env);
    expect(run.stdout).toMatch(/"jada daemon [^"]* started: postgres \(/);
    expect(run.stdout).toContain("ran 1 session");
    expect(JSON.parse((await jada(dir, ["task", "show", id, "--json"], env)).stdout)).toMatchObject(
      {
        status: "done",
        result: "ok",
      },
    );
    // Nothing went to the SQLite file.
    expect(JSON.parse((await jada(dir, ["task", "list", "--json"])).stdout)).toEqual([]);
  });

  it("says plainly when the database cannot be reached, without the password", async () => {
    const dir = await workspace();
    const result = await jada(dir, ["task", "list"], {
      JADA_DATABASE_URL: "postgres://jada:hunter2-secret@127.0.0.1:1/jada",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot open the task store");
    expect(result.stderr).not.toContain("hunter2-secret");
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 20_000);
});
