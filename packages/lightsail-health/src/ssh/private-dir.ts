import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// What must not outlive this process: directories holding key material, and ssh children (each
// the leader of its own process group) holding a session open on a host.
const liveDirs = new Set<string>();
const liveChildren = new Set<ChildProcess>();
let hooked = false;
// Set once a signal came: a child started after it (a retry) is ended at once.
let terminating = false;

function removeDirsNow(): void {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

/**
 * Ends a child's whole process group: SIGTERM, then SIGKILL if it has not exited after
 * `graceMs`. Resolves once it has exited.
 */
export async function endProcessGroup(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      child.kill(name);
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const child of liveChildren) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {}
    }
    removeDirsNow();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = async () => {
      terminating = true;
      // The children first (their sessions end on the host), then their keys.
      await Promise.all([...liveChildren].map((child) => endProcessGroup(child)));
      removeDirsNow();
      // Alone on this signal: die of it, as if we had not been listening. With other listeners
      // (a daemon that stops gracefully), leave the rest to them.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * Runs `work` with a private temporary directory (mode 0700) for key material, and removes it
 * afterwards: on success, on error, and on SIGINT/SIGTERM/SIGHUP or exit while it runs (after
 * ending the ssh children that use it).
 */
export async function withPrivateDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  hookProcess();
  const dir = mkdtempSync(join(tmpdir(), "jada-ssh-"));
  liveDirs.add(dir);
  try {
    return await work(dir);
  } finally {
    // Synchronously, and only then out of the live set: a signal handler that runs meanwhile
    // either finds the directory still listed or already gone, never half-removed.
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  }
}

/**
 * Keeps track of a child (spawned `detached`, so it leads its own process group) until it
 * exits: on SIGINT/SIGTERM/SIGHUP its group is ended and waited for before the process goes.
 */
export function trackChild(child: ChildProcess): void {
  hookProcess();
  liveChildren.add(child);
  child.once("close", () => liveChildren.delete(child));
  if (terminating) void endProcessGroup(child);
}
