import { describe, expect, it } from "vitest";
import type { Clock, JobStore } from "../types.js";
import { manualClock } from "./contract.js";

const MINUTE = 60_000;

/**
 * The behaviour every {@link JobStore} adapter must have, as a vitest suite. `open` gives a fresh,
 * empty store on the clock it is passed.
 */
export function jobStoreContract(
  name: string,
  open: (clock: Clock) => Promise<JobStore & { close(): Promise<void> }>,
): void {
  describe(`JobStore contract: ${name}`, () => {
    const setup = async () => {
      const clock = manualClock(Date.parse("2026-11-30T10:00:00Z"));
      return { clock, store: await open(clock) };
    };

    it("registers a job once, keeping the due time it has", async () => {
      const { clock, store } = await setup();
      const first = await store.ensureJob("sheets-sync", clock.now() + 30 * MINUTE);
      expect(first).toEqual({
        name: "sheets-sync",
        nextDueAt: "2026-11-30T10:30:00.000Z",
        registeredAt: "2026-11-30T10:00:00.000Z",
      });
      clock.advance(MINUTE);
      expect(await store.ensureJob("sheets-sync", clock.now())).toEqual(first);
      await store.ensureJob("tokens-check", clock.now());
      expect((await store.jobs()).map((job) => job.name)).toEqual(["sheets-sync", "tokens-check"]);
      await store.close();
    });

    it("gives each due run to one claimer only, and moves the job on", async () => {
      const { clock, store } = await setup();
      const due = clock.now();
      await store.ensureJob("sync", due);
      const [a, b] = await Promise.all([
        store.claimJobRun("sync", due, due + 30 * MINUTE, "daemon-a"),
        store.claimJobRun("sync", due, due + 30 * MINUTE, "daemon-b"),
      ]);
      expect([a, b].filter((id) => id !== undefined)).toHaveLength(1);
      expect((await store.jobs())[0]?.nextDueAt).toBe("2026-11-30T10:30:00.000Z");
      // A claim of a slot the job has left is refused.
      expect(await store.claimJobRun("sync", due, due + 60 * MINUTE, "daemon-c")).toBeUndefined();
      const [run] = await store.jobRuns("sync", 10);
      expect(run).toMatchObject({
        job: "sync",
        outcome: "running",
        scheduledFor: "2026-11-30T10:00:00.000Z",
        manual: false,
        endedAt: null,
      });
      clock.advance(5000);
      await store.finishJobRun(run?.id as string, {
        outcome: "error",
        errorCode: "INVALID_GRANT",
        errorMessage: "token revoked",
        fix: "jada auth google --account ops@example.com",
        retryable: false,
      });
      expect((await store.jobRuns("sync", 10))[0]).toMatchObject({
        outcome: "error",
        endedAt: "2026-11-30T10:00:05.000Z",
        errorCode: "INVALID_GRANT",
        errorMessage: "token revoked",
        fix: "jada auth google --account ops@example.com",
        retryable: false,
      });
      await store.close();
    });

    it("records runs that never started, once, and lists runs newest first", async () => {
      const { clock, store } = await setup();
      const due = clock.now() - 90 * MINUTE;
      await store.ensureJob("sync", due);
      const slots = [due, due + 30 * MINUTE, due + 60 * MINUTE];
      const next = clock.now() + 30 * MINUTE;
      const runs = slots.map((at) => ({ scheduledFor: at, outcome: "missed" as const }));
      expect(await store.skipJobRuns("sync", due, next, runs)).toBe(true);
      expect(await store.skipJobRuns("sync", due, next, runs)).toBe(false);
      clock.advance(MINUTE);
      const manual = await store.startManualRun("sync", "cli");
      await store.finishJobRun(manual, { outcome: "ok" });
      const listed = await store.jobRuns("sync", 10);
      expect(listed.map((run) => [run.outcome, run.manual])).toEqual([
        ["ok", true],
        ["missed", false],
        ["missed", false],
        ["missed", false],
      ]);
      expect(listed[0]).toMatchObject({ retryable: null, scheduledFor: null });
      expect(await store.jobRuns("sync", 2)).toHaveLength(2);
      // A manual run leaves the schedule alone.
      expect((await store.jobs())[0]?.nextDueAt).toBe(new Date(next).toISOString());
      await store.close();
    });

    it("keeps one open alert per job and cause, closes, reopens and acknowledges", async () => {
      const { clock, store } = await setup();
      const first = await store.openAlert({
        job: "sync",
        cause: "non_retryable",
        message: "sync failed: token revoked",
        code: "INVALID_GRANT",
        fix: "jada auth google --account ops@example.com",
      });
      expect(first.opened).toBe(true);
      expect(first.alert).toMatchObject({
        job: "sync",
        cause: "non_retryable",
        openedAt: "2026-11-30T10:00:00.000Z",
        notifiedAt: "2026-11-30T10:00:00.000Z",
        closedAt: null,
        ackedAt: null,
        taskId: null,
      });
      const again = await store.openAlert({ job: "sync", cause: "non_retryable", message: "x" });
      expect(again).toEqual({ alert: first.alert, opened: false });
      const other = await store.openAlert({ job: "sync", cause: "dead_man", message: "quiet" });
      expect(other.opened).toBe(true);
      clock.advance(MINUTE);
      await store.markAlertNotified(first.alert.id);
      await store.setAlertTask(first.alert.id, "task-1");
      expect((await store.alerts({ open: true, job: "sync" })).length).toBe(2);
      const acked = await store.ackAlert(first.alert.id);
      expect(acked).toMatchObject({
        ackedAt: "2026-11-30T10:01:00.000Z",
        notifiedAt: "2026-11-30T10:01:00.000Z",
        taskId: "task-1",
      });
      const closed = await store.closeAlert(first.alert.id);
      expect(closed.closedAt).toBe("2026-11-30T10:01:00.000Z");
      expect((await store.alerts({ open: true })).map((alert) => alert.cause)).toEqual([
        "dead_man",
      ]);
      expect(await store.alerts()).toHaveLength(2);
      const reopened = await store.openAlert({
        job: "sync",
        cause: "non_retryable",
        message: "again",
      });
      expect(reopened.opened).toBe(true);
      expect(reopened.alert.id).not.toBe(first.alert.id);
      await expect(store.ackAlert("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
      await store.close();
    });
  });
}
