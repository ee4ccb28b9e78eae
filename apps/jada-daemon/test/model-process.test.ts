// The model's child process (compose/model-process.ts) with the real SDK inside it, against the
// loopback Messages API: answers and classified errors come through, the key never reaches the
// child's command line or environment, and the child exits once the calls stop.
import { readFile } from "node:fs/promises";
import { ModelError } from "@jada/orchestrator";
import { type FakeReply, startMessagesFake } from "@jada/orchestrator/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createModelProcess, type ModelProcess } from "../src/compose/model-process.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const KEY = "fake-key-planted-by-the-model-process-test";
const request = {
  system: "s",
  tools: [],
  messages: [{ role: "user" as const, content: [{ type: "text" as const, text: "hi" }] }],
};

async function setup(play: () => FakeReply | Promise<FakeReply>, idleMs = 60_000) {
  const fake = await startMessagesFake(play);
  let exits = 0;
  let exited: () => void = () => {};
  const idleExit = new Promise<void>((resolve) => {
    exited = resolve;
  });
  const model: ModelProcess = createModelProcess({
    apiKey: KEY,
    baseURL: fake.baseURL,
    model: "claude-test",
    maxTokens: 1024,
    env: { PATH: process.env["PATH"], ANTHROPIC_API_KEY: KEY, KEEP_ME: "yes" },
    idleMs,
    onIdleExit: () => {
      exits++;
      exited();
    },
  });
  cleanups.push(async () => {
    model.close();
    await fake.close();
  });
  return { fake, model, idleExit, exits: () => exits };
}

describe("the model process", () => {
  it("answers through the child, and the key is in neither its command line nor its environment", async () => {
    let pid: number | undefined;
    let environ = "";
    let cmdline = "";
    const { fake, model } = await setup(async () => {
      // Read while the call is in flight: the child is alive and holds the key in memory only.
      pid = current?.pid;
      if (pid !== undefined) {
        environ = await readFile(`/proc/${pid}/environ`, "utf8");
        cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
      }
      return { content: [{ type: "text", text: "hello" }], usage: { input_tokens: 7 } };
    });
    const current: ModelProcess | undefined = model;
    const response = await model.send(request);
    expect(response).toMatchObject({ content: [{ type: "text", text: "hello" }] });
    expect(response.usage.inputTokens).toBe(7);
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    expect(environ).toContain("KEEP_ME=yes");
    expect(environ).not.toContain(KEY);
    expect(cmdline).not.toContain(KEY);
    // The SDK in the child sent the key to the API.
    expect(fake.requests[0]?.headers["authorization"]).toBe(`Bearer ${KEY}`);
  });

  it("passes the API's refusal on as a classified ModelError", async () => {
    const { model } = await setup(() => ({
      error: { status: 401, type: "authentication_error", message: "invalid x-api-key" },
    }));
    const error = await model.send(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ kind: "auth", status: 401, apiType: "authentication_error" });
  });

  it("exits once the calls stop, and starts again for the next call", async () => {
    const { model, idleExit, exits } = await setup(
      () => ({ content: [{ type: "text", text: "ok" }] }),
      200,
    );
    await model.send(request);
    const first = model.pid;
    expect(first).toBeGreaterThan(0);
    await idleExit;
    expect(exits()).toBe(1);
    expect(model.pid).toBeUndefined();
    expect(() => process.kill(first as number, 0)).toThrow();
    await model.send(request);
    expect(model.pid).toBeGreaterThan(0);
    expect(model.pid).not.toBe(first);
  });

  it("fails a call in flight as a network error when the child dies, and recovers", async () => {
    let calls = 0;
    let killNow: () => void = () => {};
    const { model } = await setup(async () => {
      calls++;
      if (calls === 1) {
        killNow();
        return new Promise<FakeReply>(() => {});
      }
      return { content: [{ type: "text", text: "again" }] };
    });
    killNow = () => process.kill(model.pid as number, "SIGKILL");
    await expect(model.send(request)).rejects.toMatchObject({ kind: "network" });
    await expect(model.send(request)).resolves.toMatchObject({
      content: [{ type: "text", text: "again" }],
    });
  });
});
