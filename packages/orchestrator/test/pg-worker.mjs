// A daemon-like worker in its own process on the Postgres store, with a model that completes each
// task in one call (the queue is under test here, not the model).
//   node pg-worker.mjs '{"url": …, "schema": …, "workerId": …, "mode": "drain" | "run" | "race" | "hang", …}'
// drain: runOnce until idle, print each finished task id. run: the worker loop until SIGTERM.
// race: claim in a loop until the clock passes `until`, print "<dayStart> <taskId>" per claim.
// hang: claim one task, save a checkpoint, print "claimed <id>", then wait to be killed.
import { createWorker } from "../dist/index.js";
import { openPostgresTaskStore } from "../dist/postgres.js";

const options = JSON.parse(process.argv[2]);
const offset = options.clockOffsetMs ?? 0;
const store = await openPostgresTaskStore({
  connectionString: options.url,
  schema: options.schema,
  dailySessions: options.dailySessions ?? 1_000_000,
  rolloverMinutes: options.rolloverMinutes ?? 0,
  clock: { now: () => Date.now() + offset },
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

if (options.mode === "race") {
  while (Date.now() + offset < options.until) {
    const claim = await store.claim(options.workerId, 60_000);
    if (claim.kind === "claimed") {
      const day = Date.parse(claim.quota.resetsAt) - 86_400_000;
      process.stdout.write(`${day} ${claim.task.id}\n`);
    } else await new Promise((resolve) => setTimeout(resolve, 5));
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
