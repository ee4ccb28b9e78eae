// Runs the `jada` CLI in process, through `main(argv, io)`, as a test's user would from a shell:
// the arguments, an environment and a working directory in; the exit code and both outputs out.
// In process, the tests run today's sources (no build), and fast.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { main } from "../src/cli/program.js";
import type { OutputStream } from "../src/io.js";

class Capture implements OutputStream {
  text = "";
  readonly isTTY: boolean;
  readonly #onWrite: ((text: string) => void) | undefined;
  constructor(isTTY: boolean, onWrite?: (text: string) => void) {
    this.isTTY = isTTY;
    this.#onWrite = onWrite;
  }
  write(chunk: string): boolean {
    this.text += chunk;
    this.#onWrite?.(this.text);
    return true;
  }
}

async function* single(chunk: Buffer): AsyncIterable<Buffer> {
  yield chunk;
}

/** What a run of `jada` printed, and its exit code. */
export interface JadaRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `jada ARGS` in process. The environment is only what is given (plus PATH), as in a clean
 * shell; `tty` makes both streams say they are terminals.
 */
export async function runJada(
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    cwd: string;
    tty?: boolean;
    /** What the command reads on stdin. */
    stdin?: string;
    /** Told all of stderr so far, after each write (to act on a prompt, such as a URL). */
    onStderr?: (text: string) => void;
  },
): Promise<JadaRun> {
  const stdout = new Capture(options.tty ?? false);
  const stderr = new Capture(options.tty ?? false, options.onStderr);
  const code = await main(args, {
    stdout,
    stderr,
    env: { PATH: process.env["PATH"] ?? "", ...options.env },
    cwd: options.cwd,
    stdin: options.stdin === undefined ? undefined : single(Buffer.from(options.stdin)),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/**
 * `jada ARGS` as a subprocess of the built binary (`dist/cli.js`), as a user's shell runs it:
 * only the environment given (plus PATH). Not spawnSync: the loopback peers a test starts answer
 * from the test's own process.
 */
export async function runJadaProcess(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<JadaRun> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env["PATH"] ?? "", ...options.env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const [code] = (await once(child, "exit")) as [number];
  return { code, stdout, stderr };
}
