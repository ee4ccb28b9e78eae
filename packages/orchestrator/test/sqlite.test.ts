import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteTaskStore } from "../src/sqlite/sqlite-store.js";
import { taskStoreContract } from "../src/testing/contract.js";
import { jobStoreContract } from "../src/testing/job-contract.js";

const dirs: string[] = [];
async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "jada-orchestrator-"));
  dirs.push(dir);
  return join(dir, "jada.db");
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

// The contracts, on a real file (WAL mode), not only :memory:.
taskStoreContract("sqlite", async (options) =>
  createSqliteTaskStore({ path: await tempFile(), ...options }),
);
jobStoreContract("sqlite", async (clock) =>
  createSqliteTaskStore({ path: await tempFile(), clock }),
);

describe("sqlite task store", () => {
  it("keeps tasks across reopening the file", async () => {
    const path = await tempFile();
    const first = createSqliteTaskStore({ path });
    const task = await first.add({ title: "survive a restart" });
    await first.close();
    const second = createSqliteTaskStore({ path });
    expect((await second.get(task.id))?.title).toBe("survive a restart");
    await second.close();
    expect((await stat(path)).size).toBeGreaterThan(0);
  });

  it("never exceeds the quota or claims a task twice with workers in four processes", async () => {
    const path = await tempFile();
    const setupStore = createSqliteTaskStore({ path, dailySessions: 5 });
    for (let i = 0; i < 40; i++) await setupStore.add({ title: `task ${i}` });
    await setupStore.close();
    const worker = fileURLToPath(new URL("./claim-worker.mjs", import.meta.url));
    const outputs = await Promise.all(
      [1, 2, 3, 4].map(async (id) => {
        const child = spawn(process.execPath, [worker, path, `w${id}`], {
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        child.stdout.on("data", (chunk) => (out += chunk));
        child.stderr.on("data", (chunk) => (out += chunk));
        const [code] = await once(child, "exit");
        return { code, claimed: out.trim() === "" ? [] : out.trim().split("\n") };
      }),
    );
    expect(outputs.map((output) => output.code)).toEqual([0, 0, 0, 0]);
    const claimed = outputs.flatMap((output) => output.claimed);
    expect(claimed).toHaveLength(5);
    expect(new Set(claimed).size).toBe(5);
    const store = createSqliteTaskStore({ path, dailySessions: 5 });
    expect(await store.quota()).toMatchObject({ used: 5, limit: 5 });
    expect(await store.list({ status: "running" })).toHaveLength(5);
    await store.close();
  });

  it("comes up in five processes that open a fresh file at the same moment", async () => {
    const opener = fileURLToPath(new URL("./open-worker.mjs", import.meta.url));
    // A race is bounded by work: every process is started and ready before any opens the file.
    for (let round = 0; round < 6; round++) {
      const path = await tempFile();
      const children = [1, 2, 3, 4, 5].map(() => {
        const child = spawn(process.execPath, [opener, path], {
          stdio: ["pipe", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        const ready = new Promise<void>((resolve) =>
          child.stdout.on("data", (chunk) => {
            out += chunk;
            if (out.includes("ready\n")) resolve();
          }),
        );
        child.stderr.on("data", (chunk) => (err += chunk));
        const exited = once(child, "exit").then(([code]) => ({ code, out, err }));
        return { child, ready, exited };
      });
      await Promise.all(children.map((entry) => entry.ready));
      for (const { child } of children) child.stdin.end("go\n");
      const results = await Promise.all(children.map((entry) => entry.exited));
      expect(results.map((result) => result.err)).toEqual(["", "", "", "", ""]);
      expect(results.map((result) => result.code)).toEqual([0, 0, 0, 0, 0]);
      const store = createSqliteTaskStore({ path });
      expect(await store.list()).toHaveLength(5);
      await store.close();
    }
  });

  it("reports a database it cannot open", () => {
    expect(() => createSqliteTaskStore({ path: "/nonexistent/dir/jada.db" })).toThrow(
      /cannot open the task store/,
    );
  });
});
