// Work that outgrows a session, against the loopback Messages API with the real SDK: a scripted
// agent works through numbered steps, one tool call a turn. A 100-step task says at its
// checkpoint that it will not fit; the next session splits it into parts that run in order, and
// the task completes when they do, within the day's quota. A task with a budget of 2 sessions
// goes to a person after 2.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { createAnthropicModel } from "../src/anthropic.js";
import { runNextTask } from "../src/run-task.js";
import { createSqliteTaskStore } from "../src/sqlite/sqlite-store.js";
import { manualClock } from "../src/testing/contract.js";
import { startMessagesFake } from "../src/testing/messages-fake.js";
import { stepAgent } from "../src/testing/step-agent.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { split: boolean; dailySessions?: number }) {
  const agent = stepAgent({ split: options.split });
  const fake = await startMessagesFake(agent.play);
  const dir = await mkdtemp(join(tmpdir(), "jada-split-"));
  const clock = manualClock(Date.parse("2026-12-01T08:00:00Z"));
  const store = createSqliteTaskStore({
    path: join(dir, "jada.db"),
    dailySessions: options.dailySessions ?? 5,
    clock,
  });
  cleanups.push(async () => {
    await store.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  const model = createAnthropicModel(
    new Anthropic({ apiKey: "sk-ant-test", baseURL: fake.baseURL, maxRetries: 0 }),
    { model: "claude-test" },
  );
  const next = () =>
    runNextTask({ store, model, system: "s", workerId: "w1", tools: [agent.tool], now: clock.now });
  return { agent, fake, store, clock, next };
}

describe("work that outgrows a session", () => {
  it("splits a 100-step task into parts that run in order; the task completes with them, within the quota", async () => {
    const { agent, fake, store, next } = await setup({ split: true });
    const task = await store.add({ title: "Do steps 1-100", prompt: "steps 1-100" });
    const kinds: string[] = [];
    for (;;) {
      const ran = await next();
      if (ran.kind !== "ran") {
        kinds.push(ran.kind);
        break;
      }
      kinds.push(`${ran.task.title}: ${ran.session.outcome}`);
    }
    expect(kinds).toEqual([
      "Do steps 1-100: max_turns",
      "Do steps 1-100: completed",
      "steps 21-47: completed",
      "steps 48-74: completed",
      "steps 75-100: completed",
      "idle",
    ]);
    // Every step once, in order; the parts ran one after another.
    expect(agent.done).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const parent = await store.get(task.id);
    expect(parent).toMatchObject({ status: "done", result: { parts: 3 } });
    expect(parent?.dependsOn).toHaveLength(3);
    const parts = await store.list({ parentId: task.id });
    expect(parts.map((part) => part.status)).toEqual(["done", "done", "done"]);
    expect(parts[1]?.dependsOn).toEqual([parts[0]?.id]);
    expect((await store.quota()).used).toBe(5);
    // The planning session is told what to do; the parts are not.
    const firsts = fake.requests.filter((request) => request.messages.length === 1);
    expect(
      firsts.map((request) => JSON.stringify(request.messages[0]).includes("outgrown")),
    ).toEqual([false, true, false, false, false]);
  });

  it("without splitting, the same task resumes from its checkpoints and takes the next day too", async () => {
    const { agent, store, next, clock } = await setup({ split: false });
    await store.add({ title: "Do steps 1-100", prompt: "steps 1-100", maxAttempts: 10 });
    let sessions = 0;
    for (;;) {
      const ran = await next();
      if (ran.kind === "quota_exhausted") {
        clock.advance(24 * 3_600_000);
        continue;
      }
      if (ran.kind !== "ran") break;
      sessions++;
    }
    expect(agent.done).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(sessions).toBeGreaterThan(5);
  });

  it("sends a task to a person after its budget of sessions, with its checkpoint", async () => {
    const { store, next } = await setup({ split: false });
    const task = await store.add({
      title: "Do steps 1-100",
      prompt: "steps 1-100",
      maxAttempts: 2,
    });
    await next();
    await next();
    expect(await next()).toEqual({ kind: "idle" });
    const after = await store.get(task.id);
    expect(after).toMatchObject({ status: "needs_you", attempts: 2 });
    expect(after?.needsYou).toMatch(/took 2 sessions without finishing/);
    expect(after?.checkpoint).toMatchObject({ source: "agent" });
  });

  it("marks the system prompt, the tools and the conversation so far for the prompt cache", async () => {
    const { fake, store, next } = await setup({ split: false });
    await store.add({ title: "Do steps 1-100", prompt: "steps 1-100", maxTurns: 3 });
    await next();
    for (const request of fake.requests) {
      expect(request.system).toEqual([
        expect.objectContaining({ type: "text", cache_control: { type: "ephemeral" } }),
      ]);
      const tools = request.tools as Array<{ cache_control?: unknown }>;
      expect(tools.at(-1)?.cache_control).toEqual({ type: "ephemeral" });
      expect(tools.slice(0, -1).every((tool) => tool.cache_control === undefined)).toBe(true);
      const last = request.messages.at(-1)?.content.at(-1) as { cache_control?: unknown };
      expect(last.cache_control).toEqual({ type: "ephemeral" });
      // One breakpoint in the conversation: earlier messages go as they were.
      const earlier = request.messages.slice(0, -1).flatMap((message) => message.content);
      expect(earlier.some((block) => "cache_control" in block)).toBe(false);
    }
    expect(fake.requests).toHaveLength(3);
  });

  it("keeps a task's own turn limit, below the daemon's", async () => {
    const { fake, store, next } = await setup({ split: false });
    await store.add({ title: "Do steps 1-100", prompt: "steps 1-100", maxTurns: 8 });
    const ran = await next();
    expect(ran.kind === "ran" && ran.session).toMatchObject({ outcome: "max_turns", turns: 8 });
    expect(fake.requests).toHaveLength(8);
  });
});
