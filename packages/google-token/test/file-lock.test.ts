import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withFileLock } from "../src/file-lock.js";
import { tempDir } from "./helpers.js";

describe("withFileLock", () => {
  it("keeps a slow holder's lock: it is refreshed, never broken as stale while held", async () => {
    const path = join(await tempDir(), "store.json");
    // Long enough that a loaded machine's late timers do not miss a refresh (every staleMs / 3).
    const staleMs = 1500;
    let holders = 0;
    let most = 0;
    const hold = async (ms: number) => {
      holders++;
      most = Math.max(most, holders);
      await new Promise((resolve) => setTimeout(resolve, ms));
      holders--;
    };
    let holding: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    // The first holds for three times staleMs; the second starts waiting once the first holds.
    const slow = withFileLock(
      path,
      async () => {
        holding();
        await hold(3 * staleMs);
      },
      { staleMs },
    );
    await held;
    const waiter = withFileLock(path, () => hold(1), { staleMs, timeoutMs: 30_000 });
    await Promise.all([slow, waiter]);
    expect(most).toBe(1);
  });

  it("breaks a lock whose owner process is gone", async () => {
    const path = join(await tempDir(), "store.json");
    const { writeFile } = await import("node:fs/promises");
    // A pid that is not running (the highest pids are unused on a test machine).
    await writeFile(`${path}.lock`, `4194303 ${Date.now()}\n`);
    expect(await withFileLock(path, async () => "got it", { timeoutMs: 2000 })).toBe("got it");
  });
});
