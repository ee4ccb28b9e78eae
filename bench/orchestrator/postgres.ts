// The Postgres task store beside pg-boss, on the same server in the same run.
//
//   npm run build && node bench/orchestrator/postgres.ts [--tasks 2000] [--url postgres://…]
//
// For 1, 4 and 8 workers (async loops in this process, each with its own connection): N tasks
// are queued, then the workers claim and complete them until none is left; timed is the
// claim-and-complete phase. jada: `claim` (task + quota slot in one transaction) then
// `finishSession(… done)`. pg-boss: `fetch` then `complete`, on a queue of its own. Each run
// uses a fresh schema, dropped afterwards. Figures are tasks per second and the ratio to pg-boss.
import { parseArgs } from "node:util";
import { openPostgresTaskStore } from "@jada/orchestrator/postgres";
import { dropTestSchema, testSchemaName } from "@jada/orchestrator/testing";
import { PgBoss } from "pg-boss";
import { claimAndFinishAll } from "./drain.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "2000" },
    url: { type: "string", default: "postgres://postgres@127.0.0.1:5432/postgres" },
  },
});
const tasks = Number(values.tasks);
const url = values.url;

async function jada(workers: number): Promise<number> {
  const schema = testSchemaName();
  const store = await openPostgresTaskStore({
    connectionString: url,
    schema,
    dailySessions: 1_000_000_000,
    maxConnections: workers,
  });
  try {
    for (let i = 0; i < tasks; i++) await store.add({ title: `task ${i}` });
    const start = performance.now();
    const counts = await Promise.all(
      Array.from({ length: workers }, (_, n) => claimAndFinishAll(store, `w${n}`)),
    );
    const done = counts.reduce((sum, count) => sum + count, 0);
    const seconds = (performance.now() - start) / 1000;
    if (done !== tasks) throw new Error(`jada finished ${done} of ${tasks}`);
    return tasks / seconds;
  } finally {
    await store.close();
    await dropTestSchema(schema);
  }
}

async function pgBoss(workers: number): Promise<number> {
  const schema = testSchemaName();
  const boss = new PgBoss({
    connectionString: url,
    schema,
    max: workers + 1,
    supervise: false,
    schedule: false,
  });
  boss.on("error", (error) => console.error("pg-boss:", error));
  await boss.start();
  try {
    await boss.createQueue("bench");
    for (let i = 0; i < tasks; i++) await boss.send("bench", { title: `task ${i}` });
    const start = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (;;) {
          const [job] = await boss.fetch("bench");
          if (job === undefined) return;
          await boss.complete("bench", job.id);
          done++;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    if (done !== tasks) throw new Error(`pg-boss finished ${done} of ${tasks}`);
    return tasks / seconds;
  } finally {
    await boss.stop({ graceful: false, wait: true });
    await dropTestSchema(schema);
  }
}

const rows: string[] = [];
for (const workers of [1, 4, 8]) {
  // Interleaved, pg-boss first then jada, twice; the better of each.
  const boss = Math.max(await pgBoss(workers), await pgBoss(workers));
  const ours = Math.max(await jada(workers), await jada(workers));
  rows.push(
    `| ${workers} | ${ours.toFixed(0)} tasks/s | ${boss.toFixed(0)} tasks/s | ${(ours / boss).toFixed(2)} |`,
  );
}
process.stdout.write(
  [
    `node ${process.version}, ${tasks} tasks per run`,
    "",
    "| workers | jada claim + finish | pg-boss fetch + complete | ratio (target at least 1) |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n"),
);
