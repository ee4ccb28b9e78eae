// A worker in its own process: claims until the store says idle or quota, printing each task id.
//   node claim-worker.mjs DB_PATH WORKER_ID
import { createSqliteTaskStore } from "../dist/sqlite.js";

const [path, workerId] = process.argv.slice(2);
const store = createSqliteTaskStore({ path, dailySessions: 5 });
for (;;) {
  const claim = await store.claim(workerId, 60_000);
  if (claim.kind !== "claimed") break;
  process.stdout.write(`${claim.task.id}\n`);
}
await store.close();
