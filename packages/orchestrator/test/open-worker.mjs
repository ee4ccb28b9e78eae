// Opens a SQLite store when told to: says "ready", waits for "go" on stdin, then opens the file
// (migrating it when new), adds a task and prints its id. Many of these started together race
// for a fresh file, as daemons started together on a new host do.
//   node open-worker.mjs DB_PATH
import { createSqliteTaskStore } from "../dist/sqlite.js";

const [path] = process.argv.slice(2);
process.stdout.write("ready\n");
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) if (chunk.includes("go")) break;
const store = createSqliteTaskStore({ path });
const task = await store.add({ title: `opened by ${process.pid}` });
process.stdout.write(`${task.id}\n`);
await store.close();
process.exit(0);
