import { GoogleTokenError } from "./errors.js";
import { redact } from "./redact.js";

/**
 * Classifies a failed call to Google's token endpoint by the fields of the response (never by
 * `instanceof`: googleapis bundles its own copy of the auth library and gaxios).
 *
 * - `invalid_grant` with `error_subtype: invalid_rapt` → `INVALID_RAPT`
 * - `invalid_grant` → `INVALID_GRANT` (revoked or expired: re-consent)
 * - `invalid_client`, `unauthorized_client`, or a 401 → `INVALID_CLIENT`
 * - no response (network), 408, 429, 5xx → `TRANSIENT`
 *
 * @param secrets Values to mask if they appear in an upstream message.
 */
export function classifyTokenError(
  error: unknown,
  account: string,
  secrets: ReadonlyArray<string | undefined>,
): GoogleTokenError {
  if (error instanceof GoogleTokenError) return error;
  const response = (error as { response?: { status?: number; data?: unknown } })?.response;
  const status = response?.status;
  const data = (
    typeof response?.data === "object" && response?.data !== null ? response.data : {}
  ) as {
    error?: unknown;
    error_subtype?: unknown;
    error_description?: unknown;
  };
  const oauthError = typeof data.error === "string" ? data.error : undefined;
  const description =
    typeof data.error_description === "string"
      ? redact(data.error_description, secrets)
      : undefined;
  const detail = [oauthError, description].filter(Boolean).join(": ");

  if (oauthError === "invalid_grant" && data.error_subtype === "invalid_rapt") {
    return new GoogleTokenError(
      "INVALID_RAPT",
      `${account}: Google requires the user to sign in again (Workspace re-authentication policy: ${detail})`,
      { cause: error, account, remedy: { action: "reconsent", account } },
    );
  }
  if (oauthError === "invalid_grant") {
    return new GoogleTokenError(
      "INVALID_GRANT",
      `${account}: the refresh token was revoked or has expired (${detail}); the account must consent again`,
      { cause: error, account, remedy: { action: "reconsent", account } },
    );
  }
  if (oauthError === "invalid_client" || oauthError === "unauthorized_client" || status === 401) {
    return new GoogleTokenError(
      "INVALID_CLIENT",
      `${account}: Google refused the OAuth client (${detail || `HTTP ${status}`}): check its client id and secret`,
      {
        cause: error,
        account,
        remedy: { action: "reconsent", account, newClient: true },
      },
    );
  }
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    const what =
      status === undefined
        ? redact(String((error as Error)?.message ?? error), secrets)
        : `HTTP ${status}`;
    return new GoogleTokenError(
      "TRANSIENT",
      `${account}: Google's token endpoint could not be reached or was busy (${what})`,
      {
        cause: error,
        account,
      },
    );
  }
  return new GoogleTokenError(
    "INVALID_CLIENT",
    `${account}: the token endpoint answered HTTP ${status}${detail ? ` (${detail})` : ""}`,
    {
      cause: error,
      account,
    },
  );
}

/** Whether an error is worth retrying (and never a reason to distrust the refresh token). */
export function isTransient(error: unknown): boolean {
  return error instanceof GoogleTokenError && error.code === "TRANSIENT";
}
