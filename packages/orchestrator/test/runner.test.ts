// Sessions with the real @anthropic-ai/sdk against the loopback Messages API of ./testing, on
// the SQLite store.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createAnthropicModel } from "../src/anthropic.js";
import type { ContentBlock, Message } from "../src/model.js";
import { runNextTask } from "../src/run-task.js";
import { createSqliteTaskStore } from "../src/sqlite/sqlite-store.js";
import {
  type FakeReply,
  type FakeRequest,
  startMessagesFake,
} from "../src/testing/messages-fake.js";
import { defineTool } from "../src/tools.js";
import type { TaskStore } from "../src/types.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  play: (request: FakeRequest) => FakeReply | Promise<FakeReply>,
  budgets: { dailyTokens?: number; dailyUsd?: number } = {},
) {
  const fake = await startMessagesFake(play);
  const dir = await mkdtemp(join(tmpdir(), "jada-runner-"));
  const store = createSqliteTaskStore({
    path: join(dir, "jada.db"),
    dailySessions: 50,
    ...budgets,
  });
  cleanups.push(async () => {
    await store.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  const client = new Anthropic({ apiKey: "sk-ant-test", baseURL: fake.baseURL, maxRetries: 0 });
  const model = createAnthropicModel(client, { model: "claude-test" });
  const run = (extra: Partial<Parameters<typeof runNextTask>[0]> = {}) =>
    runNextTask({ store, model, system: "You are jada's agent.", workerId: "w1", ...extra });
  return { fake, store, run };
}

let ids = 0;
const use = (name: string, input: unknown): ContentBlock => ({
  type: "tool_use",
  id: `toolu_${++ids}`,
  name,
  input,
});
const lastUser = (messages: Message[]) => messages[messages.length - 1] as Message;
const textOf = (message: Message) =>
  message.content
    .map((block) =>
      block.type === "text" ? block.text : block.type === "tool_result" ? block.content : "",
    )
    .join("\n");

async function addTask(store: TaskStore, title = "Reconcile bookings") {
  return store.add({ title, prompt: "Compare the booking sheet with the site." });
}

describe("a session", () => {
  it("makes exactly 30 calls, then ends with max_turns and a derived checkpoint", async () => {
    const work = defineTool({
      name: "work",
      description: "does work",
      input: z.object({}),
      run: () => "ok",
    });
    const { fake, store, run } = await setup(() => ({
      content: [{ type: "text", text: "working on it" }, use("work", {})],
    }));
    const task = await addTask(store);
    const result = await run({ tools: [work] });
    expect(fake.requests).toHaveLength(30);
    expect(result).toMatchObject({ kind: "ran", session: { outcome: "max_turns", turns: 30 } });
    if (result.kind !== "ran") throw new Error("ran");
    expect(result.session.checkpoint).toMatchObject({
      source: "derived",
      done: ["called work 30 times"],
    });
    expect((await store.get(task.id))?.status).toBe("pending");
    const [session] = await store.sessions(task.id);
    expect(session).toMatchObject({
      turns: 30,
      outcome: "max_turns",
      usage: { inputTokens: 3000, outputTokens: 600 },
    });
  });

  it("tells the agent at turn 25 how many turns remain, and the next session starts from its checkpoint", async () => {
    const { fake, store, run } = await setup((request) => {
      const last = textOf(lastUser(request.messages));
      if (last.includes("turns left"))
        return {
          content: [
            use("save_checkpoint", {
              done: ["read the sheet"],
              next: ["fix row 12"],
              facts: ["sheet id 1x2"],
            }),
          ],
        };
      return { content: [{ type: "text", text: "still reading" }] };
    });
    const task = await addTask(store);
    await run();
    const nudge = fake.requests[24] as FakeRequest;
    expect(textOf(lastUser(nudge.messages))).toContain("You have 6 turns left in this session");
    expect(textOf(lastUser(fake.requests[23]?.messages ?? []))).not.toContain("turns left");
    expect((await store.get(task.id))?.checkpoint).toMatchObject({
      done: ["read the sheet"],
      next: ["fix row 12"],
      source: "agent",
    });

    await run();
    const resumed = fake.requests[30] as FakeRequest;
    expect(textOf(resumed.messages[0] as Message)).toContain(
      "This task was started in an earlier session",
    );
    expect(textOf(resumed.messages[0] as Message)).toContain('"fix row 12"');
  });

  it("finishes a 40-step task across two sessions, each step done once", async () => {
    const done: number[] = [];
    const step = defineTool({
      name: "do_step",
      description: "does step n",
      input: z.object({ n: z.number().int() }),
      run: ({ n }) => {
        done.push(n);
        return `step ${n} done`;
      },
    });
    // A scripted agent: it resumes after the last step in its checkpoint, and checkpoints on
    // every turn once told to.
    const { store, run } = await setup((request) => {
      const first = textOf(request.messages[0] as Message);
      const resumedFrom = Number(/"last step (\d+)"/.exec(first)?.[1] ?? 0);
      const steps = request.messages
        .flatMap((message) => message.content)
        .filter((block) => block.type === "tool_result" && block.content.startsWith("step")).length;
      const next = resumedFrom + steps + 1;
      const told = request.messages.some(
        (message) => message.role === "user" && textOf(message).includes("turns left"),
      );
      if (next > 40) return { content: [use("complete_task", { result: "all 40 steps done" })] };
      const blocks = [use("do_step", { n: next })];
      if (told)
        blocks.push(
          use("save_checkpoint", {
            done: [`last step ${next}`],
            next: [`step ${next + 1}`],
            facts: [],
          }),
        );
      return { content: blocks };
    });
    const task = await addTask(store, "Forty steps");
    const first = await run({ tools: [step] });
    expect(first.kind === "ran" && first.session.outcome).toBe("max_turns");
    const second = await run({ tools: [step] });
    expect(second.kind === "ran" && second.session.outcome).toBe("completed");
    expect(done).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await store.get(task.id)).toMatchObject({
      status: "done",
      result: "all 40 steps done",
      attempts: 2,
    });
  });

  it("does not count a reply that just stops as success", async () => {
    let call = 0;
    const { fake, store, run } = await setup(() =>
      ++call === 1
        ? { content: [{ type: "text", text: "All done!" }] }
        : { content: [use("complete_task", { result: "really done" })] },
    );
    const task = await addTask(store);
    await run();
    expect(textOf(lastUser(fake.requests[1]?.messages ?? []))).toContain(
      "The task is not finished",
    );
    expect((await store.get(task.id))?.status).toBe("done");
  });

  it("queues downstream tasks, asks a person, and survives a tool that throws", async () => {
    const broken = defineTool({
      name: "broken",
      description: "fails",
      input: z.object({}),
      run: () => {
        throw new Error("disk full");
      },
    });
    let call = 0;
    const { fake, store, run } = await setup(() => {
      call++;
      if (call === 1)
        return {
          content: [
            use("broken", {}),
            use("create_task", { title: "Deploy staging", prompt: "deploy it", priority: 2 }),
          ],
        };
      return {
        content: [use("request_human", { message: "approve the refund for booking 1042" })],
      };
    });
    const task = await addTask(store);
    const result = await run({ tools: [broken] });
    const results = (fake.requests[1]?.messages.at(-1)?.content ?? []).filter(
      (block) => block.type === "tool_result",
    );
    expect(results[0]).toMatchObject({ is_error: true, content: "error: disk full" });
    expect(result.kind === "ran" && result.task).toMatchObject({
      status: "needs_you",
      needsYou: "approve the refund for booking 1042",
    });
    const children = (await store.list()).filter((child) => child.parentId === task.id);
    expect(children).toEqual([
      expect.objectContaining({ title: "Deploy staging", priority: 2, status: "pending" }),
    ]);
  });

  it("stores the agent's checkpoint when it is saved, not only when the session ends", async () => {
    let storedDuringSession: unknown;
    const { store, run } = await setup(async (request) => {
      if (request.messages.length === 1)
        return { content: [use("save_checkpoint", { done: ["a"], next: ["b"], facts: [] })] };
      storedDuringSession = (await store.list({ status: "running" }))[0]?.checkpoint;
      return { content: [use("complete_task", { result: "ok" })] };
    });
    await addTask(store);
    await run();
    expect(storedDuringSession).toMatchObject({ done: ["a"], next: ["b"], source: "agent" });
  });

  it("stops at the day's token budget with a checkpoint, then waits for the next day", async () => {
    const work = defineTool({
      name: "work",
      description: "does work",
      input: z.object({}),
      run: () => "ok",
    });
    // Each call bills 1,000 tokens; the day allows 3,500.
    const { fake, store, run } = await setup(
      () => ({
        content: [{ type: "text", text: "step done" }, use("work", {})],
        usage: { input_tokens: 800, output_tokens: 200 },
      }),
      { dailyTokens: 3500 },
    );
    const task = await addTask(store);
    const result = await run({ tools: [work] });
    expect(fake.requests).toHaveLength(4);
    expect(result).toMatchObject({
      kind: "ran",
      session: { outcome: "budget_exceeded", turns: 4 },
      task: { status: "pending", checkpoint: { source: "derived" } },
    });
    expect((await store.sessions(task.id))[0]?.outcome).toBe("budget_exceeded");
    expect(await run({ tools: [work] })).toMatchObject({
      kind: "quota_exhausted",
      spent: "tokens",
      quota: { tokens: { used: 4000, limit: 3500 } },
    });
    expect(fake.requests).toHaveLength(4);
  });

  it("stops at the day's dollar budget, priced by the model's table", async () => {
    const { store, run } = await setup(
      () => ({
        content: [{ type: "text", text: "thinking" }],
        usage: { input_tokens: 100_000, output_tokens: 0 },
      }),
      { dailyUsd: 1 },
    );
    await addTask(store);
    // $3 per million input tokens: $0.30 a call, so the 4th call crosses $1.
    const result = await run({ price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } });
    expect(result).toMatchObject({
      kind: "ran",
      session: { outcome: "budget_exceeded", turns: 4 },
    });
    expect((await store.quota()).usd?.used).toBeCloseTo(1.2, 6);
  });

  it("records usage and estimated cost", async () => {
    const { store, run } = await setup(() => ({
      content: [use("complete_task", { result: "ok" })],
      usage: { input_tokens: 2000, output_tokens: 500, cache_read_input_tokens: 10000 },
    }));
    const task = await addTask(store);
    await run({ price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } });
    const [session] = await store.sessions(task.id);
    expect(session?.usage).toEqual({
      inputTokens: 2000,
      outputTokens: 500,
      cacheReadTokens: 10000,
      cacheWriteTokens: 0,
    });
    expect(session?.costUsd).toBeCloseTo(0.006 + 0.0075 + 0.003, 6);
  });
});

describe("API errors", () => {
  it.each([
    [
      { status: 429, type: "rate_limit_error", message: "slow down", retryAfter: 17 },
      "rate_limited",
      [17, 17],
    ],
    // No retry-after: the first step of the backoff (30 s), of which up to half is jitter.
    [{ status: 529, type: "overloaded_error", message: "overloaded" }, "overloaded", [15, 30]],
  ] as const)(
    "backs off on %j without burning an attempt or a quota slot",
    async (error, kind, [least, most]) => {
      const { store, run } = await setup(() => ({ error }));
      const task = await addTask(store);
      const before = Date.now();
      const result = await run();
      expect(result.kind === "ran" && result.session.error?.kind).toBe(kind);
      const after = await store.get(task.id);
      expect(after).toMatchObject({ status: "pending", attempts: 0 });
      const wait = Date.parse(after?.notBefore ?? "") - before;
      expect(wait).toBeGreaterThanOrEqual(least * 1000 - 50);
      expect(wait).toBeLessThan(most * 1000 + 5000);
      expect((await store.quota()).used).toBe(0);
    },
  );

  it("keeps the task queued on an auth error, and sends an invalid request to a person", async () => {
    const auth = await setup(() => ({
      error: { status: 401, type: "authentication_error", message: "invalid x-api-key" },
    }));
    const queued = await addTask(auth.store);
    const result = await auth.run();
    expect(result.kind === "ran" && result.session.error?.kind).toBe("auth");
    expect(await auth.store.get(queued.id)).toMatchObject({
      status: "pending",
      attempts: 0,
      notBefore: null,
    });

    const invalid = await setup(() => ({
      error: { status: 400, type: "invalid_request_error", message: "messages: too long" },
    }));
    const refused = await addTask(invalid.store);
    await invalid.run();
    expect((await invalid.store.get(refused.id))?.needsYou).toContain(
      "the API refused the request",
    );
  });

  it("treats a dropped connection and a malformed body as network trouble", async () => {
    for (const reply of [{ drop: true } as const, { malformed: true } as const]) {
      const { store, run } = await setup(() => reply);
      await addTask(store);
      const result = await run();
      expect(result.kind === "ran" && result.session.error?.kind).toBe("network");
    }
  });
});
