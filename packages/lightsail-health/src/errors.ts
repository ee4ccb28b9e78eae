/**
 * Machine-readable reason of a {@link HealthError}.
 *
 * - `ACCESS_FAILED`: the Lightsail API refused temporary access (or the instance does not exist).
 * - `HOST_KEY_MISMATCH`: the host presented a key that is not one the API reported: refused.
 * - `SSH_AUTH_FAILED`: the certificate was refused (also after fetching fresh access).
 * - `SSH_CONNECT_FAILED`: the host could not be reached (refused, no route, connect timeout).
 * - `SSH_TIMEOUT`: the remote command ran past its time limit and was stopped.
 * - `SSH_FAILED`: ssh failed otherwise (its message is kept).
 * - `METRICS_FAILED`: the metrics could not be read.
 */
export type HealthErrorCode =
  | "ACCESS_FAILED"
  | "HOST_KEY_MISMATCH"
  | "SSH_AUTH_FAILED"
  | "SSH_CONNECT_FAILED"
  | "SSH_TIMEOUT"
  | "SSH_FAILED"
  | "METRICS_FAILED";

/** The one error type of `@jada/lightsail-health`; never carries key material. */
export class HealthError extends Error {
  override readonly name = "HealthError";
  readonly code: HealthErrorCode;

  constructor(code: HealthErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
