/**
 * Machine-readable reason of a {@link GoogleTokenError}. Codes are only ever added.
 *
 * - `INVALID_GRANT`: the refresh token was revoked or expired: re-consent is needed.
 * - `INVALID_RAPT`: a Google Workspace re-authentication policy requires the user to sign in again.
 * - `INVALID_CLIENT`: the OAuth client (id or secret) is wrong or deleted.
 * - `NOT_FOUND`: no such account in the store.
 * - `TRANSIENT`: network trouble, 429 or 5xx, still failing after the retries. Never a revocation.
 * - `STORE_INSECURE`: the store file is readable by group or others; it is refused, as ssh refuses keys.
 * - `STORE_CORRUPT`: the store file is not valid; it is left untouched.
 * - `STORE_LOCKED`: another process held the store's lock for too long.
 * - `STORE_IO`: the store could not be read or written.
 * - `CONSENT_FAILED`: the consent flow failed (denied, state mismatch, wrong account, timeout).
 * - `MISCONFIGURED`: the account's client configuration is missing or unusable.
 * - `SYNC_INVALID`: a sheet sync cannot be planned: the header is not the configured columns, a
 *   row has no key, or keys are duplicated (each named).
 * - `SHEET_NOT_FOUND`: the spreadsheet, or its tab, does not exist.
 * - `PERMISSION_DENIED`: the account cannot read or write the spreadsheet (share it with the account).
 * - `REQUEST_BUDGET`: a sync would make more requests than its budget allows.
 * - `INSUFFICIENT_SCOPE`: the token was not granted the scope the call needs (consent again with it).
 * - `INVALID_REQUEST`: Google refused the request as asked (an unknown metric, a bad date): 400.
 * - `API_FAILED`: a Google API answered an error not covered above.
 */
export type GoogleTokenErrorCode =
  | "INVALID_GRANT"
  | "INVALID_RAPT"
  | "INVALID_CLIENT"
  | "NOT_FOUND"
  | "TRANSIENT"
  | "STORE_INSECURE"
  | "STORE_CORRUPT"
  | "STORE_LOCKED"
  | "STORE_IO"
  | "CONSENT_FAILED"
  | "MISCONFIGURED"
  | "SYNC_INVALID"
  | "SHEET_NOT_FOUND"
  | "PERMISSION_DENIED"
  | "REQUEST_BUDGET"
  | "INSUFFICIENT_SCOPE"
  | "INVALID_REQUEST"
  | "API_FAILED";

/**
 * The one error type of `@jada/google-token`. Messages never contain a secret (tokens and client
 * secrets are masked everywhere), and say what to do when there is something to do.
 */
export class GoogleTokenError extends Error {
  override readonly name = "GoogleTokenError";
  readonly code: GoogleTokenErrorCode;
  /** The account concerned, when there is one. */
  readonly account: string | undefined;
  /** What fixes it, as data, when it is known: the caller words it (see {@link describeTokenFix}). */
  readonly remedy: TokenFix | undefined;
  /** What fixes it, in words: `describeTokenFix(remedy)`, or a shell command (`chmod 600 …`). */
  readonly fix: string | undefined;

  constructor(
    code: GoogleTokenErrorCode,
    message: string,
    options: {
      cause?: unknown;
      account?: string | undefined;
      remedy?: TokenFix | undefined;
      fix?: string | undefined;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.account = options.account;
    this.remedy = options.remedy;
    this.fix = options.fix ?? (options.remedy ? describeTokenFix(options.remedy) : undefined);
  }
}

/** Type guard that also works across copies of this package. */
export function isGoogleTokenError(value: unknown): value is GoogleTokenError {
  return (
    value instanceof GoogleTokenError ||
    (value instanceof Error &&
      value.name === "GoogleTokenError" &&
      typeof (value as { code?: unknown }).code === "string")
  );
}

/**
 * What fixes a token problem, as data, so that each caller words it its own way (a command of its
 * CLI, a link in a dashboard):
 * - `reconsent`: the account must consent again (a revoked or expired refresh token, a Workspace
 *   re-authentication policy, an account not in the store); `newClient` when the OAuth client
 *   itself must be given again (wrong id or secret, unreadable client file); `scopes` when the
 *   consent must grant these scopes too (a token without GA4 access).
 * - `check`: look again with a refresh (the state could not be judged).
 */
export type TokenFix =
  | {
      action: "reconsent";
      account: string;
      newClient?: boolean | undefined;
      scopes?: string[] | undefined;
    }
  | { action: "check"; account: string };

/** The library's own wording of a {@link TokenFix}: it names no program. */
export function describeTokenFix(fix: TokenFix): string {
  if (fix.action === "check") return `check ${fix.account} again, with a refresh`;
  if (fix.scopes?.length)
    return `consent again for ${fix.account}, granting ${fix.scopes.join(" ")}`;
  return fix.newClient
    ? `consent again for ${fix.account} with a valid OAuth client file (client_secret.json)`
    : `consent again for ${fix.account} (the OAuth consent flow)`;
}
