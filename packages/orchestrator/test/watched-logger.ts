// A Logger port for tests that keeps every line and lets a test wait for one: tests wait on what
// the worker says, never on time.
import type { Logger } from "../src/worker.js";

/** One logged line. */
export interface LoggedLine {
  level: "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

/** A logger whose lines are kept, and can be waited for. */
export function watchedLogger(): Logger & {
  lines: LoggedLine[];
  /** Resolves once `count` lines (default 1) match. */
  when(match: RegExp, count?: number): Promise<void>;
} {
  const lines: LoggedLine[] = [];
  const waiters: Array<() => void> = [];
  const log =
    (level: LoggedLine["level"]) => (fields: Record<string, unknown>, message: string) => {
      lines.push({ level, fields, message });
      for (const waiter of waiters.splice(0)) waiter();
    };
  return {
    lines,
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    async when(match, count = 1) {
      while (lines.filter((line) => match.test(line.message)).length < count)
        await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}
