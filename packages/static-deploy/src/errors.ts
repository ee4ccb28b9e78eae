/**
 * Machine-readable reason of a {@link StaticDeployError}. Part of the public contract: callers
 * branch on it, so codes are only ever added, never renamed.
 *
 * - `PATH_NOT_FOUND`: a path given to the linter does not exist.
 * - `READ_FAILED`: a file or directory exists but could not be read (permissions, I/O).
 * - `WRITE_FAILED`: a fixed file could not be written back.
 * - `UNKNOWN_SCOPE`: a `--scope` names a marker or an id found in none of the files.
 * - `UNCLOSED_SCOPE`: a `<!-- jada:scope NAME -->` marker has no matching closing marker.
 * - `FIX_NEEDS_SCOPE`: `fix` was asked for without a scope, which would touch a whole page.
 * - `INVALID_OPTION`: an option has a value the library cannot use.
 */
export type StaticDeployErrorCode =
  | "PATH_NOT_FOUND"
  | "READ_FAILED"
  | "WRITE_FAILED"
  | "UNKNOWN_SCOPE"
  | "UNCLOSED_SCOPE"
  | "FIX_NEEDS_SCOPE"
  | "INVALID_OPTION";

/**
 * The one error type thrown by `@jada/static-deploy`. Messages are written for the person at
 * the terminal (they name the file and what to do); `code` is for programs.
 *
 * @example
 * ```ts
 * try { await lintPaths(["site/"], { scope: "booking" }); }
 * catch (error) {
 *   if (error instanceof StaticDeployError && error.code === "UNKNOWN_SCOPE") { ... }
 * }
 * ```
 */
export class StaticDeployError extends Error {
  override readonly name = "StaticDeployError";
  /** Why it failed; see {@link StaticDeployErrorCode}. */
  readonly code: StaticDeployErrorCode;
  /** The file or path concerned, when there is one. */
  readonly path: string | undefined;

  constructor(
    code: StaticDeployErrorCode,
    message: string,
    options: { cause?: unknown; path?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}

/** Type guard that also works across copies of this package (it checks `name` and `code`). */
export function isStaticDeployError(value: unknown): value is StaticDeployError {
  return (
    value instanceof StaticDeployError ||
    (value instanceof Error &&
      value.name === "StaticDeployError" &&
      typeof (value as { code?: unknown }).code === "string")
  );
}
