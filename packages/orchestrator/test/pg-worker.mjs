// A daemon-like worker in its own process on the Postgres store, with a model that completes each
// task in one call (the queue is under test here, not the model).
//   node pg-worker.mjs '{"url": …, "schema": …, "workerId": …, "mode": "drain" | "run" | "race" | "hang", …}'
// drain: runOnce until idle, print each finished task id. run: the worker loop until SIGTERM.
// race: say "ready", wait for "go" on stdin (so that every racer starts together, however slowly
//   the processes booted), then claim in a loop on a clock that starts at `simStart` at the go,
//   print "<dayStart> <taskId>" per claim, and stop once the quota is spent at or after
//   `stopWhenSpentAfter` (or the queue is empty): bounded by work, not by a wall-clock window.
// hang: claim one task, save a checkpoint, print "claimed <id>", then wait to be killed.
import { createScheduler, createWorker, defineJob } from "../dist/index.js";
import { openPostgresTaskStore } from "../dist/postgres.js";

const options = JSON.parse(process.argv[2]);
const offset = options.clockOffsetMs ?? 0;
let now = () => Date.now() + offset;
const store = await openPostgresTaskStore({
  connectionString: options.url,
  schema: options.schema,
  dailySessions: options.dailySessions ?? 1_000_000,
  rolloverMinutes: options.rolloverMinutes ?? 0,
  clock: { now: () => now() },
  maxConnections: 2,
});

const model = {
  async send() {
    if (options.workMs) await new Promise((resolve) => setTimeout(resolve, options.workMs));
    return {
      content: [
        { type: "tool_use", id: "toolu_1", name: "complete_task", input: { result: "ok" } },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
    };
  },
};
const logger = {
  info(fields) {
    if (fields.status === "done") process.stdout.write(`${fields.taskId}\n`);
  },
  warn() {},
  error(fields, message) {
    process.stderr.write(`${message}: ${fields.error}\n`);
  },
};

if (options.mode === "jobs") {
  // A daemon's scheduler: say "ready", wait for "go", then go round every 20 ms for windowMs,
  // printing the slot of each run this process executed.
  process.stdout.write("ready\n");
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) if (chunk.includes("go")) break;
  const quiet = { info() {}, warn() {}, error: logger.error };
  const scheduler = createScheduler({
    store,
    logger: quiet,
    workerId: options.workerId,
    jobs: [
      defineJob({
        name: "every-second",
        schedule: "1s",
        missed: "once",
        run: ({ scheduledFor }) => void process.stdout.write(`${scheduledFor?.getTime()}\n`),
      }),
    ],
  });
  const until = Date.now() + options.windowMs;
  while (Date.now() < until) {
    await scheduler.tick();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
} else if (options.mode === "race") {
  process.stdout.write("ready\n");
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) if (chunk.includes("go")) break;
  const base = Date.now();
  now = () => options.simStart + (Date.now() - base);
  for (;;) {
    const claim = await store.claim(options.workerId, 60_000);
    if (claim.kind === "claimed") {
      const day = Date.parse(claim.quota.resetsAt) - 86_400_000;
      process.stdout.write(`${day} ${claim.task.id}\n`);
    } else if (claim.kind === "idle") break;
    else if (now() >= options.stopWhenSpentAfter) break;
    else await new Promise((resolve) => setTimeout(resolve, 5));
  }
} else if (options.mode === "hang") {
  const claim = await store.claim(options.workerId, options.leaseMs);
  if (claim.kind !== "claimed") throw new Error(`expected a claim, got ${claim.kind}`);
  await store.saveCheckpoint(claim.task.id, options.workerId, { done: ["half"], next: ["rest"] });
  process.stdout.write(`claimed ${claim.task.id}\n`);
  await new Promise(() => {});
} else {
  const worker = createWorker({
    store,
    model,
    system: "s",
    workerId: options.workerId,
    pollMs: options.pollMs ?? 200,
    leaseMs: options.leaseMs ?? 60_000,
    logger,
  });
  if (options.mode === "drain") await worker.runOnce();
  else {
    process.once("SIGTERM", () => void worker.stop());
    await worker.run();
  }
}
await store.close();
