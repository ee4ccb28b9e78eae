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
 * - `SITE_INVALID`: a site directory is missing, empty, or has a link that leaves it.
 * - `BUCKET_NOT_FOUND`: the target bucket does not exist.
 * - `ACCESS_DENIED`: the credentials may not do what the deploy needs.
 * - `CREDENTIALS_MISSING`: no AWS credentials were found.
 * - `CONFLICT`: a distribution changed between reading and updating it (`If-Match`).
 * - `NO_RELEASE`: there is no release to roll back to (or the named one does not exist).
 * - `GATE_FAILED`: a promote gate (lint or smoke check) failed; production was not touched.
 * - `TOO_MANY_INVALIDATIONS`: CloudFront's limit of invalidations in progress; retried, then this.
 * - `INVALIDATION_FAILED`: CloudFront refused or never finished an invalidation.
 * - `APPS_SCRIPT_DISABLED`: the Apps Script API is not turned on for the user (their settings).
 * - `SCOPE_MISSING`: the Google token lacks the scopes the call needs (consent again with them).
 * - `VERSION_CAP`: the Apps Script project has as many versions as Apps Script allows.
 * - `REMOTE_FAILED`: S3, CloudFront or Apps Script failed in a way not listed above.
 */
export type StaticDeployErrorCode =
  | "PATH_NOT_FOUND"
  | "READ_FAILED"
  | "WRITE_FAILED"
  | "UNKNOWN_SCOPE"
  | "UNCLOSED_SCOPE"
  | "FIX_NEEDS_SCOPE"
  | "INVALID_OPTION"
  | "SITE_INVALID"
  | "BUCKET_NOT_FOUND"
  | "ACCESS_DENIED"
  | "CREDENTIALS_MISSING"
  | "CONFLICT"
  | "NO_RELEASE"
  | "GATE_FAILED"
  | "TOO_MANY_INVALIDATIONS"
  | "INVALIDATION_FAILED"
  | "APPS_SCRIPT_DISABLED"
  | "SCOPE_MISSING"
  | "VERSION_CAP"
  | "REMOTE_FAILED";

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
