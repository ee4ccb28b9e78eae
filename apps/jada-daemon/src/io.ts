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
