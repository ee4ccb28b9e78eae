// The unit both store benches time: claim a task, end its session as done, until none is left.
import type { TaskStore } from "@jada/orchestrator";

/** Claims and finishes tasks as `workerId` until the store has none runnable; returns how many. */
export async function claimAndFinishAll(store: TaskStore, workerId: string): Promise<number> {
  let done = 0;
  for (;;) {
    const claim = await store.claim(workerId, 60_000);
    if (claim.kind !== "claimed") return done;
    await store.finishSession(
      claim.sessionId,
      { turns: 1, outcome: "completed" },
      { status: "done", result: null },
    );
    done++;
  }
}
