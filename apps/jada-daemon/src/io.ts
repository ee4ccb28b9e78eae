/** A stream the CLI writes to (process.stdout, or a buffer in tests). */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
}

/**
 * Everything the CLI touches of its process, passed in explicitly so that the same code runs
 * in `bin/jada` and in tests without patching globals.
 */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** What the CLI reads from stdin (payloads piped to it over SSH); absent in most tests. */
  stdin?: AsyncIterable<Uint8Array | string> | undefined;
}

/** Colors only on a terminal, and never when `NO_COLOR` is set to anything (no-color.org). */
export function useColor(stream: OutputStream, env: CliIo["env"]): boolean {
  const noColor = env["NO_COLOR"];
  return stream.isTTY === true && (noColor === undefined || noColor === "");
}

/** Everything on stdin as UTF-8 text, or undefined when the CLI was given no stdin. */
export async function readAllStdin(io: CliIo): Promise<string | undefined> {
  if (io.stdin === undefined) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
