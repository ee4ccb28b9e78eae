// Gives memory back to the system once a burst of work is over (the start, a session). V8 keeps
// the heap it grew to, and an idle daemon would hold it all day: one full collection in V8's
// "last resort" flavour shrinks the young generation and compacts the old one. Best effort: a
// Node that does not allow it changes nothing.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type Collect = (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

let collect: Collect | undefined | null;

/** Runs one memory-reducing full collection; false when this Node does not allow it. */
export function releaseMemory(): boolean {
  if (collect === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      collect = runInNewContext("gc") as Collect;
    } catch {
      collect = null;
    }
  }
  if (!collect) return false;
  try {
    collect({ type: "major", execution: "sync", flavor: "last-resort" });
    return true;
  } catch {
    return false;
  }
}
