import { describe, expect, it } from "vitest";
import { retry } from "./retry.js";

describe("retry", () => {
  it("tries again with doubling waits, then gives up with the last error", async () => {
    const waits: number[] = [];
    let calls = 0;
    const failing = retry(
      async () => {
        calls++;
        throw new Error(`down ${calls}`);
      },
      { tries: 4, sleep: async (ms) => void waits.push(ms) },
    );
    await expect(failing).rejects.toThrow("down 4");
    expect(waits).toEqual([500, 1000, 2000]);
  });

  it("returns the first success, and never retries what is not retryable", async () => {
    let calls = 0;
    const result = await retry(
      async () => {
        if (++calls < 3) throw new Error("blip");
        return "ok";
      },
      { sleep: async () => {} },
    );
    expect([result, calls]).toEqual(["ok", 3]);
    let refused = 0;
    await expect(
      retry(
        async () => {
          refused++;
          throw new Error("no");
        },
        { retryable: () => false, sleep: async () => {} },
      ),
    ).rejects.toThrow("no");
    expect(refused).toBe(1);
  });
});
