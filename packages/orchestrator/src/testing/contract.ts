import { describe, expect, it } from "vitest";
import type { Clock, TaskStore } from "../types.js";

/** What a contract run gives the factory: a clock it controls, and the quota to enforce. */
export interface ContractStoreOptions {
  clock: Clock;
  dailySessions: number;
  rolloverMinutes: number;
  /** The day's token budget; unset when the test sets none. */
  dailyTokens?: number | undefined;
  /** The day's dollar budget; unset when the test sets none. */
  dailyUsd?: number | undefined;
}

/** A controllable clock, starting at `start`. */
export function manualClock(
  start: number,
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    set(ms) {
      now = ms;
    },
  };
}

const MINUTE = 60_000;
const LEASE = 2 * MINUTE;

/**
 * The behaviour every {@link TaskStore} adapter must have, as a vitest suite. Call it from a test
 * file of the adapter with a factory that opens a fresh, empty store.
 *
 * @example
 * ```ts
 * taskStoreContract("sqlite", (options) => createSqliteTaskStore({ path: tempFile(), ...options }));
 * ```
 */
export function taskStoreContract(
  name: string,
  open: (options: ContractStoreOptions) => Promise<TaskStore> | TaskStore,
): void {
  describe(`TaskStore contract: ${name}`, () => {
    const setup = async (overrides: Partial<Omit<ContractStoreOptions, "clock">> = {}) => {
      const clock = manualClock(Date.parse("2026-11-23T10:00:00Z"));
      const store = await open({
        clock,
        dailySessions: overrides.dailySessions ?? 5,
        rolloverMinutes: overrides.rolloverMinutes ?? 0,
        ...(overrides.dailyTokens !== undefined ? { dailyTokens: overrides.dailyTokens } : {}),
        ...(overrides.dailyUsd !== undefined ? { dailyUsd: overrides.dailyUsd } : {}),
      });
      return { clock, store };
    };

    it("adds tasks with defaults and reads them back", async () => {
      const { store } = await setup();
      const task = await store.add({
        title: "  Reconcile bookings ",
        prompt: "Compare the sheet with the site.",
      });
      expect(task).toMatchObject({
        title: "Reconcile bookings",
        status: "pending",
        priority: 0,
        attempts: 0,
        checkpoint: null,
        leaseOwner: null,
      });
      expect(await store.get(task.id)).toEqual(task);
      expect(await store.list({ status: "pending" })).toEqual([task]);
      expect(await store.get("nope")).toBeUndefined();
      await expect(store.add({ title: " " })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await expect(store.add({ title: "child", parentId: "missing" })).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await store.close();
    });

    it("claims the highest priority, then the oldest, and never before not-before", async () => {
      const { store, clock } = await setup();
      const old = await store.add({ title: "old" });
      clock.advance(1000);
      await store.add({ title: "newer" });
      const urgent = await store.add({
        title: "urgent",
        priority: 10,
        notBefore: new Date(clock.now() + MINUTE),
      });
      const first = await store.claim("w1", LEASE);
      expect(first.kind === "claimed" && first.task.id).toBe(old.id);
      clock.advance(MINUTE);
      const second = await store.claim("w1", LEASE);
      expect(second.kind === "claimed" && second.task.id).toBe(urgent.id);
      await store.close();
    });

    it("leases a task to one worker at a time, and hands it back with its checkpoint when the lease expires", async () => {
      const { store, clock } = await setup();
      const task = await store.add({ title: "long job" });
      const claim = await store.claim("w1", LEASE);
      if (claim.kind !== "claimed") throw new Error("expected a claim");
      expect(claim.task).toMatchObject({ status: "running", leaseOwner: "w1", attempts: 1 });
      expect(await store.claim("w2", LEASE)).toEqual({ kind: "idle" });
      await store.saveCheckpoint(task.id, "w1", { done: ["step 1"], next: "step 2" });
      expect(await store.heartbeat(task.id, "w1", LEASE)).toBe(true);
      expect(await store.heartbeat(task.id, "w2", LEASE)).toBe(false);

      clock.advance(LEASE + 1); // w1 died
      const again = await store.claim("w2", LEASE);
      expect(again.kind === "claimed" && again.task).toMatchObject({
        id: task.id,
        leaseOwner: "w2",
        attempts: 2,
        checkpoint: { done: ["step 1"], next: "step 2" },
      });
      // The dead worker's session is closed, not left open forever.
      const [abandoned, current] = await store.sessions(task.id);
      expect(abandoned).toMatchObject({ id: claim.sessionId, outcome: "error" });
      expect(abandoned?.endedAt).not.toBeNull();
      expect(abandoned?.error).toContain("lease expired");
      expect(current).toMatchObject({ outcome: null, endedAt: null, workerId: "w2" });
      // The old worker has lost it.
      await expect(store.saveCheckpoint(task.id, "w1", {})).rejects.toMatchObject({
        code: "LEASE_LOST",
      });
      await expect(
        store.finishSession(
          claim.sessionId,
          { turns: 3, outcome: "completed" },
          { status: "done", result: 1 },
        ),
      ).rejects.toMatchObject({
        code: "LEASE_LOST",
      });
      await store.close();
    });

    it("moves a task on when its session ends, and records the session", async () => {
      const { store } = await setup();
      const task = await store.add({ title: "t" });
      const first = await store.claim("w1", LEASE);
      if (first.kind !== "claimed") throw new Error("expected a claim");
      const usage = {
        inputTokens: 1200,
        outputTokens: 300,
        cacheReadTokens: 1000,
        cacheWriteTokens: 0,
      };
      const back = await store.finishSession(
        first.sessionId,
        { turns: 30, outcome: "max_turns", usage, costUsd: 0.012 },
        { status: "pending", checkpoint: { next: "finish" } },
      );
      expect(back).toMatchObject({
        status: "pending",
        checkpoint: { next: "finish" },
        leaseOwner: null,
      });
      const second = await store.claim("w1", LEASE);
      if (second.kind !== "claimed") throw new Error("expected a claim");
      expect(second.task.checkpoint).toEqual({ next: "finish" });
      const done = await store.finishSession(
        second.sessionId,
        { turns: 4, outcome: "completed" },
        { status: "done", result: { summary: "ok" } },
      );
      expect(done).toMatchObject({
        status: "done",
        result: { summary: "ok" },
        checkpoint: { next: "finish" },
      });
      const sessions = await store.sessions(task.id);
      expect(sessions.map((session) => [session.turns, session.outcome, session.costUsd])).toEqual([
        [30, "max_turns", 0.012],
        [4, "completed", null],
      ]);
      expect(sessions[0]?.usage).toEqual(usage);
      // The totals count ended sessions only: a running one is not in them.
      await store.add({ title: "running" });
      expect((await store.claim("w1", LEASE)).kind).toBe("claimed");
      expect(await store.sessionTotals()).toEqual({
        byOutcome: { max_turns: 1, completed: 1 },
        byTurns: [
          [4, 1],
          [30, 1],
        ],
        tokens: { input: 1200, output: 300, cacheRead: 1000, cacheWrite: 0 },
        costUsd: 0.012,
      });
      await store.close();
    });

    it("claims a task only once every task it depends on is done", async () => {
      const { store } = await setup({ dailySessions: 50 });
      const first = await store.add({ title: "first" });
      const second = await store.add({
        title: "second",
        priority: 10,
        dependsOn: [first.id],
        maxTurns: 12,
      });
      expect(second).toMatchObject({ dependsOn: [first.id], maxTurns: 12 });
      expect(first).toMatchObject({ dependsOn: [], maxTurns: null });
      // The higher priority waits: its dependency is not done.
      const claimed = await store.claim("w1", LEASE);
      if (claimed.kind !== "claimed") throw new Error("expected a claim");
      expect(claimed.task.id).toBe(first.id);
      expect(await store.claim("w2", LEASE)).toEqual({ kind: "idle" });
      // Back to pending (turn limit): still not done, so the second still waits.
      await store.finishSession(
        claimed.sessionId,
        { turns: 30, outcome: "max_turns" },
        { status: "pending" },
      );
      const again = await store.claim("w1", LEASE);
      expect(again.kind === "claimed" && again.task.id).toBe(first.id);
      if (again.kind !== "claimed") throw new Error("expected a claim");
      await store.finishSession(
        again.sessionId,
        { turns: 3, outcome: "completed" },
        { status: "done", result: null },
      );
      const next = await store.claim("w1", LEASE);
      expect(next.kind === "claimed" && next.task).toMatchObject({ id: second.id, maxTurns: 12 });
      await expect(store.add({ title: "x", dependsOn: ["missing"] })).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(store.add({ title: "x", maxTurns: 0 })).rejects.toMatchObject({
        code: "INVALID_INPUT",
      });
      await store.close();
    });

    it("completes a task split into parts once its parts are done, in their order", async () => {
      const { store } = await setup({ dailySessions: 50 });
      const parent = await store.add({ title: "update the three sites" });
      const split = await store.claim("w1", LEASE);
      if (split.kind !== "claimed") throw new Error("expected a claim");
      const one = await store.add({ title: "part 1", parentId: parent.id });
      const two = await store.add({ title: "part 2", parentId: parent.id, dependsOn: [one.id] });
      expect((await store.addDependencies(parent.id, [one.id, two.id, one.id])).dependsOn).toEqual([
        one.id,
        two.id,
      ]);
      await store.finishSession(
        split.sessionId,
        { turns: 4, outcome: "max_turns" },
        { status: "pending" },
      );
      // A part cannot make its parent wait for itself the other way round, nor a task itself.
      await expect(store.addDependencies(one.id, [parent.id])).rejects.toMatchObject({
        code: "INVALID_INPUT",
      });
      await expect(store.addDependencies(one.id, [one.id])).rejects.toMatchObject({
        code: "INVALID_INPUT",
      });
      await expect(store.addDependencies("missing", [one.id])).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      // As the runner does: after each part, the parent is asked whether it is done.
      const order: string[] = [];
      const settled: Array<string | undefined> = [];
      for (;;) {
        const claim = await store.claim("w1", LEASE);
        if (claim.kind !== "claimed") break;
        order.push(claim.task.title);
        await store.finishSession(
          claim.sessionId,
          { turns: 5, outcome: "completed" },
          { status: "done", result: null },
        );
        settled.push((await store.completeSplitTask(parent.id))?.status);
      }
      expect(order).toEqual(["part 1", "part 2"]);
      expect(settled).toEqual([undefined, "done"]);
      expect(await store.get(parent.id)).toMatchObject({ status: "done", result: { parts: 2 } });
      // Once done, again is nothing.
      expect(await store.completeSplitTask(parent.id)).toBeUndefined();
      // A task that waits for a task that is not its part is not "split": it is never completed so.
      const other = await store.add({ title: "other" });
      const waiting = await store.add({ title: "waits", dependsOn: [other.id] });
      const done = await store.claim("w1", LEASE);
      if (done.kind !== "claimed") throw new Error("expected a claim");
      await store.finishSession(
        done.sessionId,
        { turns: 1, outcome: "completed" },
        { status: "done", result: null },
      );
      expect(await store.completeSplitTask(waiting.id)).toBeUndefined();
      await store.close();
    });

    it("starts with empty session totals", async () => {
      const { store } = await setup();
      expect(await store.sessionTotals()).toEqual({
        byOutcome: {},
        byTurns: [],
        tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
        costUsd: 0,
      });
      await store.close();
    });

    it("finds tasks by status, parent and title, in pages, either way round, and counts them", async () => {
      const { clock, store } = await setup();
      const parent = await store.add({ title: "Update the three sites" });
      const titles = ["Deploy queenofsandiego", "deploy 100%_sure", "Check tokens"];
      const children = [];
      for (const title of titles) {
        clock.advance(1000);
        children.push(await store.add({ title, parentId: parent.id }));
      }
      await store.cancel(children[2]?.id ?? "");
      const ids = (tasks: { id: string }[]) => tasks.map((task) => task.id);
      expect(ids(await store.list())).toEqual([parent.id, ...ids(children)]);
      expect(ids(await store.list({ newestFirst: true, limit: 2 }))).toEqual(
        ids([children[2], children[1]] as { id: string }[]),
      );
      expect(ids(await store.list({ limit: 2, offset: 3 }))).toEqual([children[2]?.id]);
      expect(ids(await store.list({ parentId: parent.id, status: "pending" }))).toEqual(
        ids(children.slice(0, 2)),
      );
      // Case-insensitive, and % and _ are plain characters, not wildcards.
      expect(ids(await store.list({ titleContains: "DEPLOY" }))).toEqual(ids(children.slice(0, 2)));
      expect(ids(await store.list({ titleContains: "0%_s" }))).toEqual([children[1]?.id]);
      expect(await store.list({ titleContains: "%" })).toHaveLength(1);
      expect(await store.list({ titleContains: "a_d" })).toEqual([]);
      expect(ids(await store.list({ titleContains: "  " }))).toHaveLength(4);
      await expect(store.list({ limit: -1 })).rejects.toMatchObject({ code: "INVALID_INPUT" });
      await expect(store.list({ status: "nope" as "done" })).rejects.toMatchObject({
        code: "INVALID_INPUT",
      });
      expect(await store.counts()).toEqual({
        running: 0,
        pending: 3,
        needs_you: 0,
        failed: 0,
        done: 0,
        cancelled: 1,
      });
      await store.close();
    });

    it("lists the latest sessions of any task, newest first, refunded ones included", async () => {
      const { clock, store } = await setup();
      const first = await store.add({ title: "first" });
      const second = await store.add({ title: "second" });
      const refused = await store.claim("w1", LEASE);
      if (refused.kind !== "claimed") throw new Error("expected a claim");
      await store.finishSession(
        refused.sessionId,
        { turns: 0, outcome: "error", error: "auth: 401 invalid x-api-key" },
        { status: "pending", refund: true },
      );
      clock.advance(MINUTE);
      const ran = await store.claim("w1", LEASE);
      if (ran.kind !== "claimed") throw new Error("expected a claim");
      expect(ran.task.id).toBe(first.id);
      expect((await store.recentSessions(1)).map((session) => session.id)).toEqual([ran.sessionId]);
      const both = await store.recentSessions(10);
      expect(both.map((session) => [session.taskId, session.outcome, session.error])).toEqual([
        [first.id, null, null],
        [first.id, "error", "auth: 401 invalid x-api-key"],
      ]);
      expect(await store.recentSessions(0)).toEqual([]);
      expect(second.status).toBe("pending");
      await store.close();
    });

    it("sends a task to a person: on request, and after its last allowed session", async () => {
      const { store } = await setup();
      await store.add({ title: "ask", maxAttempts: 2 });
      const claim = await store.claim("w1", LEASE);
      if (claim.kind !== "claimed") throw new Error("expected a claim");
      const asked = await store.finishSession(
        claim.sessionId,
        { turns: 2, outcome: "needs_you" },
        { status: "needs_you", message: "approve the refund" },
      );
      expect(asked).toMatchObject({ status: "needs_you", needsYou: "approve the refund" });
      expect((await store.retry(asked.id)).status).toBe("pending");

      for (let session = 1; session <= 2; session++) {
        const next = await store.claim("w1", LEASE);
        if (next.kind !== "claimed") throw new Error("expected a claim");
        const after = await store.finishSession(
          next.sessionId,
          { turns: 30, outcome: "max_turns" },
          { status: "pending", checkpoint: { session } },
        );
        expect(after.status).toBe(session === 2 ? "needs_you" : "pending");
        if (session === 2) expect(after.needsYou).toContain("took 2 sessions");
      }
      await store.close();
    });

    it("cancels and retries only where it makes sense", async () => {
      const { store } = await setup();
      const task = await store.add({ title: "t" });
      await expect(store.retry(task.id)).rejects.toMatchObject({ code: "INVALID_STATE" });
      expect((await store.cancel(task.id)).status).toBe("cancelled");
      await expect(store.cancel(task.id)).rejects.toMatchObject({ code: "INVALID_STATE" });
      expect(await store.claim("w1", LEASE)).toEqual({ kind: "idle" });
      expect((await store.retry(task.id)).status).toBe("pending");
      await expect(store.cancel("missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
      await store.close();
    });

    it("allows the daily quota of sessions, then waits for the next UTC day", async () => {
      const { store, clock } = await setup({ dailySessions: 3 });
      for (let i = 0; i < 5; i++) await store.add({ title: `t${i}` });
      clock.set(Date.parse("2026-11-23T22:00:00Z"));
      for (let i = 0; i < 3; i++) expect((await store.claim(`w${i}`, LEASE)).kind).toBe("claimed");
      const refused = await store.claim("w9", LEASE);
      expect(refused).toEqual({
        kind: "quota_exhausted",
        spent: "sessions",
        quota: { used: 3, limit: 3, resetsAt: "2026-11-24T00:00:00.000Z" },
      });
      expect(await store.quota()).toEqual({
        used: 3,
        limit: 3,
        resetsAt: "2026-11-24T00:00:00.000Z",
      });
      clock.set(Date.parse("2026-11-24T00:00:01Z"));
      expect((await store.claim("w9", LEASE)).kind).toBe("claimed");
      expect((await store.quota()).used).toBe(1);
      await store.close();
    });

    it("spends the day's token and dollar budgets, refunded sessions included, then waits", async () => {
      const usage = (tokens: number) => ({
        inputTokens: tokens / 2,
        outputTokens: tokens / 4,
        cacheReadTokens: tokens / 8,
        cacheWriteTokens: tokens / 8,
      });
      const { store, clock } = await setup({ dailySessions: 50, dailyTokens: 10_000 });
      for (let i = 0; i < 4; i++) await store.add({ title: `t${i}` });
      const first = await store.claim("w1", LEASE);
      if (first.kind !== "claimed") throw new Error("expected a claim");
      expect(first.quota.tokens).toEqual({ used: 0, limit: 10_000 });
      // A session that never really ran still spent what it was billed.
      await store.finishSession(
        first.sessionId,
        { turns: 1, outcome: "error", usage: usage(4000) },
        { status: "pending", refund: true },
      );
      const second = await store.claim("w1", LEASE);
      if (second.kind !== "claimed") throw new Error("expected a claim");
      expect(second.quota).toMatchObject({ used: 1, tokens: { used: 4000, limit: 10_000 } });
      await store.finishSession(
        second.sessionId,
        { turns: 9, outcome: "budget_exceeded", usage: usage(6000) },
        { status: "pending", checkpoint: { next: "go on" } },
      );
      const refused = await store.claim("w1", LEASE);
      expect(refused).toMatchObject({
        kind: "quota_exhausted",
        spent: "tokens",
        quota: { used: 1, tokens: { used: 10_000 }, resetsAt: "2026-11-24T00:00:00.000Z" },
      });
      clock.set(Date.parse("2026-11-24T00:00:00Z"));
      const next = await store.claim("w1", LEASE);
      expect(next.kind === "claimed" && next.quota.tokens).toEqual({ used: 0, limit: 10_000 });
      await store.close();

      const dollars = await setup({ dailyUsd: 1.5 });
      await dollars.store.add({ title: "costly" });
      await dollars.store.add({ title: "later" });
      const costly = await dollars.store.claim("w1", LEASE);
      if (costly.kind !== "claimed") throw new Error("expected a claim");
      expect(costly.quota.usd).toEqual({ used: 0, limit: 1.5 });
      expect(costly.quota.tokens).toBeUndefined();
      await dollars.store.finishSession(
        costly.sessionId,
        { turns: 3, outcome: "completed", costUsd: 1.75 },
        { status: "done", result: null },
      );
      expect(await dollars.store.claim("w1", LEASE)).toMatchObject({
        kind: "quota_exhausted",
        spent: "usd",
      });
      expect((await dollars.store.quota()).usd).toEqual({ used: 1.75, limit: 1.5 });
      await dollars.store.close();
    });

    it("turns the quota day at the configured rollover", async () => {
      const { store, clock } = await setup({ dailySessions: 1, rolloverMinutes: 6 * 60 });
      await store.add({ title: "a" });
      await store.add({ title: "b" });
      clock.set(Date.parse("2026-11-24T05:00:00Z"));
      expect((await store.claim("w", LEASE)).kind).toBe("claimed");
      const refused = await store.claim("w", LEASE);
      expect(refused.kind === "quota_exhausted" && refused.quota.resetsAt).toBe(
        "2026-11-24T06:00:00.000Z",
      );
      clock.set(Date.parse("2026-11-24T06:00:00Z"));
      expect((await store.claim("w", LEASE)).kind).toBe("claimed");
      await store.close();
    });
  });
}
