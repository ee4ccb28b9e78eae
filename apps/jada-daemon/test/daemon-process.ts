// `jada daemon` (the built binary) as a child process with its HTTP server on a free loopback
// port: the tests wait on its JSON log lines, talk to its URL, and stop it with SIGTERM.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/** One JSON log line of the daemon. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A running daemon. */
export interface DaemonProcess {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  child: ChildProcess;
  lines: LogLine[];
  /** Resolves with the first line (already logged or to come) that matches. */
  when(match: RegExp): Promise<LogLine>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `jada daemon` in `cwd` (its config there) and resolves once its HTTP server listens. */
export async function startDaemon(
  cwd: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [bin, "daemon", ...args], {
    cwd,
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  const waiters: Array<{ match: RegExp; resolve: (line: LogLine) => void }> = [];
  let buffer = "";
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  child.stdout?.on("data", (chunk) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { level: 0, msg: text };
      }
      lines.push(line);
      for (const waiter of [...waiters])
        if (waiter.match.test(line.msg)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
    }
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const when = (match: RegExp) => {
    const seen = lines.find((line) => match.test(line.msg));
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then((code) =>
        reject(new Error(`the daemon exited (${code}) before "${match.source}": ${stderr}`)),
      );
    });
  };
  const started = await when(/^jada daemon .* started/);
  const url = started["http"];
  if (typeof url !== "string") throw new Error(`the daemon serves no HTTP: ${started.msg}`);
  return {
    url,
    child,
    lines,
    when,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
