// The Postgres adapter against a real PostgreSQL (127.0.0.1:5432; each test its own schema).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../src/postgres/migrations.js";
import { openPostgresTaskStore } from "../src/postgres/postgres-store.js";
import { taskStoreContract } from "../src/testing/contract.js";
import { jobStoreContract } from "../src/testing/job-contract.js";
import {
  dropTestSchema,
  postgresAvailable,
  TEST_DATABASE_URL,
  testSchemaName,
} from "../src/testing/postgres.js";

const available = await postgresAvailable();
if (!available.ok) console.warn(`skipping the Postgres tests: ${available.reason}`);

const schemas: string[] = [];
const freshSchema = () => {
  const schema = testSchemaName();
  schemas.push(schema);
  return schema;
};
afterAll(async () => {
  for (const schema of schemas) await dropTestSchema(schema);
});

if (available.ok) {
  taskStoreContract("postgres", (options) =>
    openPostgresTaskStore({
      connectionString: TEST_DATABASE_URL,
      schema: freshSchema(),
      ...options,
    }),
  );
  jobStoreContract("postgres", (clock) =>
    openPostgresTaskStore({ connectionString: TEST_DATABASE_URL, schema: freshSchema(), clock }),
  );
}

describe.skipIf(!available.ok)("postgres task store", () => {
  it("migrates once when several daemons open the same schema at the same moment", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(
      Array.from({ length: 6 }, () =>
        openPostgresTaskStore({ connectionString: TEST_DATABASE_URL, schema }),
      ),
    );
    await stores[0]?.add({ title: "one" });
    expect(await stores[5]?.list()).toHaveLength(1);
    expect(await stores[1]?.migrate()).toEqual([]);
    for (const store of stores) await store.close();
  });

  it("upgrades a schema from version 1 keeping the day's quota, and refuses one newer than itself", async () => {
    const schema = freshSchema();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      expect(await applyMigrations(client, schema, 1)).toEqual([1]);
      const now = Date.parse("2026-11-23T12:00:00Z");
      await client.query(`INSERT INTO "${schema}".quota_days (day_start, used) VALUES ($1, 4)`, [
        Date.parse("2026-11-23T00:00:00Z"),
      ]);
      const store = await openPostgresTaskStore({
        connectionString: TEST_DATABASE_URL,
        schema,
        dailySessions: 5,
        clock: { now: () => now },
      });
      expect((await store.quota()).used).toBe(4);
      await store.add({ title: "one" });
      await store.add({ title: "two" });
      expect((await store.claim("w1", 60_000)).kind).toBe("claimed");
      expect(await store.claim("w1", 60_000)).toMatchObject({
        kind: "quota_exhausted",
        quota: { used: 5, limit: 5 },
      });
      await store.close();
      // A jada that knows only version 1 must not run on it now, migrating or not.
      await client.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES (99)`);
      for (const migrate of [true, false]) {
        await expect(
          openPostgresTaskStore({ connectionString: TEST_DATABASE_URL, schema, migrate }),
        ).rejects.toMatchObject({
          message: expect.stringMatching(/at version 99, newer than this version \(4\) knows/),
          remedy: "upgrade",
        });
      }
    } finally {
      await client.end();
    }
  });

  it("refuses to open an unmigrated schema without migrating, and says what to run", async () => {
    const schema = freshSchema();
    await expect(
      openPostgresTaskStore({ connectionString: TEST_DATABASE_URL, schema, migrate: false }),
    ).rejects.toMatchObject({
      code: "STORE_FAILED",
      remedy: "migrate",
    });
  });

  it("wakes listeners when a task is added by another store (LISTEN/NOTIFY)", async () => {
    const schema = freshSchema();
    let isListening: () => void = () => {};
    const listening = new Promise<void>((resolve) => {
      isListening = resolve;
    });
    const daemon = await openPostgresTaskStore({
      connectionString: TEST_DATABASE_URL,
      schema,
      onConnectionEvent: (event) => {
        if (event.kind === "listening") isListening();
      },
    });
    const cli = await openPostgresTaskStore({ connectionString: TEST_DATABASE_URL, schema });
    let woken = 0;
    let wake: () => void = () => {};
    const woke = new Promise<void>((resolve) => {
      wake = resolve;
    });
    daemon.onTaskAdded?.(() => {
      woken++;
      wake();
    });
    await listening; // LISTEN is in place
    await cli.add({ title: "from the CLI" });
    await woke;
    expect(woken).toBe(1);
    await cli.close();
    await daemon.close();
  });

  it("reports an unreachable server as STORE_FAILED without the password", async () => {
    await expect(
      openPostgresTaskStore({
        connectionString: "postgres://jada:s3cret-pass@127.0.0.1:1/jada",
        schema: freshSchema(),
      }),
    ).rejects.toSatisfy((error: Error & { code?: string }) => {
      return error.code === "STORE_FAILED" && !error.message.includes("s3cret-pass");
    });
  }, 20_000);
});

const workerScript = fileURLToPath(new URL("./pg-worker.mjs", import.meta.url));

function startWorker(options: Record<string, unknown>) {
  const child: ChildProcess = spawn(process.execPath, [workerScript, JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let sayReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    sayReady = resolve;
  });
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
    if (stdout.startsWith("ready\n")) sayReady();
  });
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return {
    child,
    exited,
    /** Resolves when a racer has said "ready". */
    ready,
    lines: () => stdout.split("\n").filter((line) => line !== "" && line !== "ready"),
    stderr: () => stderr,
  };
}

async function addTasks(schema: string, count: number) {
  const store = await openPostgresTaskStore({ connectionString: TEST_DATABASE_URL, schema });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await store.add({ title: `task ${i}` })).id);
  return { store, ids };
}

/**
 * 10 worker processes race: each connects and says ready; once all are ready they are told to
 * go together, and claim on a clock that reads `simStart` at the go, until the quota is spent at
 * or after `stopWhenSpentAfter`. All must exit 0. `claims` are the `[dayStart, taskId]` printed.
 */
async function raceForQuota(
  schema: string,
  race: { dailySessions: number; simStart: number; stopWhenSpentAfter: number },
) {
  const workers = Array.from({ length: 10 }, (_, n) =>
    startWorker({ url: TEST_DATABASE_URL, schema, workerId: `w${n}`, mode: "race", ...race }),
  );
  // The barrier: no racer starts while another is still booting (a loaded machine takes seconds).
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.child.stdin?.end("go\n");
  const codes = await Promise.all(workers.map((worker) => worker.exited));
  expect(codes, workers.map((worker) => worker.stderr()).join("")).toEqual(Array(10).fill(0));
  const claims = workers.flatMap((worker) => worker.lines().map((line) => line.split(" ")));
  return { workers, claims };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!available.ok)("many daemons on one Postgres", () => {
  it("8 worker processes share 2,000 tasks: each claimed and done exactly once, none lost", async () => {
    const schema = freshSchema();
    const { store, ids } = await addTasks(schema, 2000);
    const workers = Array.from({ length: 8 }, (_, n) =>
      startWorker({ url: TEST_DATABASE_URL, schema, workerId: `w${n}`, mode: "drain" }),
    );
    const codes = await Promise.all(workers.map((worker) => worker.exited));
    expect(codes, workers.map((worker) => worker.stderr()).join("")).toEqual(Array(8).fill(0));
    const finished = workers.flatMap((worker) => worker.lines());
    expect(finished).toHaveLength(2000);
    expect(new Set(finished)).toEqual(new Set(ids));
    expect(workers.filter((worker) => worker.lines().length > 0).length).toBeGreaterThan(1);
    expect(await store.list({ status: "done" })).toHaveLength(2000);
    const raw = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await raw.connect();
    const { rows } = await raw.query(
      `SELECT count(*)::int AS sessions, count(DISTINCT task_id)::int AS tasks FROM "${schema}".sessions`,
    );
    await raw.end();
    expect(rows[0]).toEqual({ sessions: 2000, tasks: 2000 });
    await store.close();
  }, 120_000);

  it("4 daemons on a chain of dependent tasks: none starts before the one it waits for is done", async () => {
    const schema = freshSchema();
    const store = await openPostgresTaskStore({ connectionString: TEST_DATABASE_URL, schema });
    // The order the database saw: a sequence drawn in triggers, at each claim (a session row)
    // and each task done. A claim that sees its dependency done draws after that commit.
    const raw = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await raw.connect();
    await raw.query(`
      CREATE TABLE "${schema}".audit (seq bigserial, kind text, task_id text);
      CREATE FUNCTION "${schema}".audit_claim() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO "${schema}".audit (kind, task_id) VALUES ('claimed', NEW.task_id); RETURN NEW; END $$;
      CREATE FUNCTION "${schema}".audit_done() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO "${schema}".audit (kind, task_id) VALUES ('done', NEW.id); RETURN NEW; END $$;
      CREATE TRIGGER audit_claim AFTER INSERT ON "${schema}".sessions
        FOR EACH ROW EXECUTE FUNCTION "${schema}".audit_claim();
      CREATE TRIGGER audit_done AFTER UPDATE OF status ON "${schema}".tasks
        FOR EACH ROW WHEN (NEW.status = 'done') EXECUTE FUNCTION "${schema}".audit_done();`);
    const chain: string[] = [];
    for (let i = 0; i < 30; i++)
      chain.push(
        (
          await store.add({
            title: `step ${i}`,
            dependsOn: i === 0 ? [] : [chain[i - 1] as string],
          })
        ).id,
      );
    for (let i = 0; i < 30; i++) await store.add({ title: `free ${i}` });
    const workers = Array.from({ length: 4 }, (_, n) =>
      startWorker({
        url: TEST_DATABASE_URL,
        schema,
        workerId: `w${n}`,
        mode: "run",
        pollMs: 20,
        workMs: 2,
      }),
    );
    // Until the 60 tasks are done (each worker prints each task it finished): a signal, not a time.
    await new Promise<void>((resolve) => {
      const check = () => {
        if (workers.reduce((sum, worker) => sum + worker.lines().length, 0) >= 60) resolve();
      };
      for (const worker of workers) worker.child.stdout?.on("data", check);
      check();
    });
    for (const worker of workers) worker.child.kill("SIGTERM");
    await Promise.all(workers.map((worker) => worker.exited));
    const { rows } = await raw.query<{ seq: string; kind: string; task_id: string }>(
      `SELECT seq, kind, task_id FROM "${schema}".audit`,
    );
    await raw.end();
    const at = (kind: string, id: string) =>
      Number(rows.find((row) => row.kind === kind && row.task_id === id)?.seq);
    expect(rows.filter((row) => row.kind === "claimed")).toHaveLength(60);
    for (let i = 1; i < chain.length; i++)
      expect(at("claimed", chain[i] as string), `step ${i}`).toBeGreaterThan(
        at("done", chain[i - 1] as string),
      );
    await store.close();
  }, 120_000);

  it("10 workers racing for a quota of 5 get exactly 5 sessions a day, across the rollover", async () => {
    const schema = freshSchema();
    const { store } = await addTasks(schema, 30);
    const midnight = Math.ceil(Date.now() / 86_400_000) * 86_400_000;
    // Every worker's clock reads 2 s before midnight UTC at the go; each stops once the new
    // day's quota is spent too.
    const { claims } = await raceForQuota(schema, {
      dailySessions: 5,
      simStart: midnight - 2000,
      stopWhenSpentAfter: midnight,
    });
    const byDay = new Map<string, number>();
    for (const [day] of claims) byDay.set(day as string, (byDay.get(day as string) ?? 0) + 1);
    expect(Object.fromEntries(byDay)).toEqual({
      [String(midnight - 86_400_000)]: 5,
      [String(midnight)]: 5,
    });
    expect(new Set(claims.map(([, task]) => task)).size).toBe(10);
    await store.close();
  }, 60_000);

  it("10 workers racing for a quota of 300 get exactly 300: striped slots while roomy, exact near the limit", async () => {
    const schema = freshSchema();
    const { store } = await addTasks(schema, 400);
    // Every worker's clock reads noon UTC at the go, far from a rollover; each stops once the
    // day's quota is spent.
    const noon = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 43_200_000;
    const { workers, claims } = await raceForQuota(schema, {
      dailySessions: 300,
      simStart: noon,
      stopWhenSpentAfter: noon,
    });
    expect(claims.length).toBe(300);
    expect(new Set(claims.map(([, task]) => task)).size).toBe(300);
    expect(workers.filter((worker) => worker.lines().length > 0).length).toBeGreaterThan(1);
    const day = await openPostgresTaskStore({
      connectionString: TEST_DATABASE_URL,
      schema,
      dailySessions: 300,
      clock: { now: () => noon },
    });
    expect((await day.quota()).used).toBe(300);
    await day.close();
    await store.close();
  }, 60_000);

  it("4 daemons share one job: each slot runs on exactly one of them", async () => {
    const schema = freshSchema();
    (await addTasks(schema, 0)).store.close();
    const daemons = Array.from({ length: 4 }, (_, n) =>
      startWorker({
        url: TEST_DATABASE_URL,
        schema,
        workerId: `d${n}`,
        mode: "jobs",
        windowMs: 6000,
      }),
    );
    await Promise.all(daemons.map((daemon) => daemon.ready));
    for (const daemon of daemons) daemon.child.stdin?.end("go\n");
    const codes = await Promise.all(daemons.map((daemon) => daemon.exited));
    expect(codes, daemons.map((daemon) => daemon.stderr()).join("")).toEqual([0, 0, 0, 0]);
    const slots = daemons.flatMap((daemon) => daemon.lines());
    // Never twice: each slot ran once, whichever daemon took it.
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots.length).toBeGreaterThanOrEqual(3);
    const store = await openPostgresTaskStore({ connectionString: TEST_DATABASE_URL, schema });
    const runs = await store.jobRuns("every-second", 100);
    expect(runs.filter((run) => run.outcome === "ok")).toHaveLength(slots.length);
    await store.close();
  }, 60_000);

  it("after kill -9 mid-session, another worker resumes the task from its checkpoint once the lease expires", async () => {
    const schema = freshSchema();
    const { store, ids } = await addTasks(schema, 1);
    const doomed = startWorker({
      url: TEST_DATABASE_URL,
      schema,
      workerId: "doomed",
      mode: "hang",
      leaseMs: 1500,
    });
    while (!doomed.lines().some((line) => line.startsWith("claimed"))) await sleep(20);
    doomed.child.kill("SIGKILL");
    expect(await doomed.exited).toBeNull();
    expect(await store.claim("rescuer", 60_000)).toEqual({ kind: "idle" });
    await sleep(1600);
    const claim = await store.claim("rescuer", 60_000);
    expect(claim.kind === "claimed" && claim.task).toMatchObject({
      id: ids[0],
      attempts: 2,
      checkpoint: { done: ["half"], next: ["rest"] },
    });
    const [abandoned] = await store.sessions(ids[0] as string);
    expect(abandoned).toMatchObject({ workerId: "doomed", outcome: "error" });
    await store.close();
  }, 30_000);

  it("survives its connections being terminated (pg_terminate_backend): no task lost or done twice", async () => {
    const schema = freshSchema();
    const { store, ids } = await addTasks(schema, 600);
    const applicationName = `jada_${schema}`;
    const url = `${TEST_DATABASE_URL}?application_name=${applicationName}`;
    const workers = Array.from({ length: 4 }, (_, n) =>
      startWorker({ url, schema, workerId: `w${n}`, mode: "run", workMs: 10, leaseMs: 3000 }),
    );
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    const connected = async () =>
      (
        await admin.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
          [applicationName],
        )
      ).rows[0].n as number;
    const done = async () => (await store.list({ status: "done" })).length;
    let terminated = 0;
    for (let round = 0; round < 4; round++) {
      // Bounded by work, not by time: each round waits until every worker is connected (again)
      // and the queue has moved on since the last round, however slowly the machine runs.
      const before = await done();
      while ((await connected()) < 4 || (round > 0 && (await done()) === before && before < 600))
        await sleep(20);
      const { rows } = await admin.query(
        "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1",
        [applicationName],
      );
      terminated += rows[0].n;
    }
    expect(terminated, "connections terminated while the workers ran").toBeGreaterThanOrEqual(16);
    const deadline = Date.now() + 60_000;
    while ((await store.list({ status: "done" })).length < 600 && Date.now() < deadline)
      await sleep(200);
    for (const worker of workers) worker.child.kill("SIGTERM");
    const codes = await Promise.all(workers.map((worker) => worker.exited));
    expect(codes, workers.map((worker) => worker.stderr()).join("")).toEqual([0, 0, 0, 0]);
    expect(
      (await store.list({ status: "done" })).map((task) => task.id).sort(),
      "done tasks",
    ).toEqual([...ids].sort());
    const { rows } = await admin.query(
      `SELECT task_id, count(*)::int AS n FROM "${schema}".sessions WHERE outcome = 'completed' GROUP BY task_id HAVING count(*) <> 1`,
    );
    expect(rows).toEqual([]);
    await admin.end();
    await store.close();
  }, 120_000);
});
