// `jada task`, `jada quota` and `jada migrate` as a user runs them, in process through main, on a
// data directory of the test's own.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runJada } from "./run-jada.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function workspace() {
  const dir = await mkdtemp(join(tmpdir(), "jada-tasks-cli-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const jada = (args: string[], env: Record<string, string> = {}) =>
    runJada(args, { cwd: dir, env: { JADA_DATA_DIR: join(dir, "data"), ...env } });
  return { dir, jada };
}

describe("jada task and jada quota", () => {
  it("adds, lists, shows, cancels and retries tasks", async () => {
    const { jada } = await workspace();
    const added = JSON.parse(
      (await jada(["task", "add", "Reconcile bookings", "--priority", "2", "--json"])).stdout,
    );
    expect(added).toMatchObject({ title: "Reconcile bookings", priority: 2, status: "pending" });
    expect((await jada(["task", "list"])).stdout).toMatch(
      new RegExp(`${added.id.slice(0, 8)} +pending +2 +0/3 +Reconcile bookings`),
    );
    const shown = JSON.parse((await jada(["task", "show", added.id.slice(0, 8), "--json"])).stdout);
    expect(shown).toMatchObject({ id: added.id, sessions: [], requeues: {} });
    expect((await jada(["task", "cancel", added.id])).stdout).toBe(`${added.id} is cancelled\n`);
    expect((await jada(["task", "retry", added.id])).stdout).toBe(`${added.id} is pending\n`);
    const bad = await jada(["task", "list", "--status", "sleeping"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown status "sleeping"');
    expect((await jada(["task", "show", "nope"])).stderr).toBe("jada: no task nope\n");
    expect(JSON.parse((await jada(["quota", "--json"])).stdout)).toMatchObject({
      used: 0,
      limit: 5,
    });
    expect((await jada(["quota"])).stdout).toMatch(/^0 of 5 sessions used\nresets at /);
  });

  it("refuses an empty id (it would match every task) and an empty prompt", async () => {
    const { jada } = await workspace();
    const { id } = JSON.parse((await jada(["task", "add", "only one", "--json"])).stdout);
    for (const verb of ["cancel", "show", "retry"]) {
      const run = await jada(["task", verb, ""]);
      expect([verb, run.code, run.stderr]).toEqual([verb, 2, "jada: a task id cannot be empty\n"]);
    }
    const [task] = JSON.parse((await jada(["task", "list", "--json"])).stdout);
    expect(task).toMatchObject({ id, status: "pending" });
    const prompt = await jada(["task", "add", "x", "--prompt", ""]);
    expect(prompt.code).toBe(2);
    expect(prompt.stderr).toBe("jada: --prompt cannot be empty (leave it out to use the title)\n");
    const title = await jada(["task", "add", "  "]);
    expect(title).toMatchObject({ code: 2, stderr: "jada: a task needs a title\n" });
    expect(JSON.parse((await jada(["task", "list", "--json"])).stdout)).toHaveLength(1);
  });

  it("says plainly when the data directory is a file", async () => {
    const { dir, jada } = await workspace();
    const file = join(dir, "not-a-dir");
    await writeFile(file, "x");
    const run = await jada(["task", "list"], { JADA_DATA_DIR: file });
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: `jada: the data directory ${file} is a file, not a directory: point --data-dir (or JADA_DATA_DIR) at a directory\n`,
    });
  });

  it("migrates the SQLite store explicitly, then says it is up to date", async () => {
    const { dir, jada } = await workspace();
    const first = JSON.parse((await jada(["migrate", "--json"])).stdout);
    expect(first).toEqual({ store: `sqlite (${join(dir, "data", "jada.db")})`, applied: [] });
    expect((await jada(["migrate"])).stdout).toMatch(/: up to date\n$/);
  });
});
