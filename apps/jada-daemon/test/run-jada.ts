// Runs the `jada` CLI in process, through `main(argv, io)`, as a test's user would from a shell:
// the arguments, an environment and a working directory in; the exit code and both outputs out.
// In process, the tests run today's sources (no build), and fast.
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

async function* once(chunk: Buffer): AsyncIterable<Buffer> {
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
    stdin: options.stdin === undefined ? undefined : once(Buffer.from(options.stdin)),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
