/**
 * Machine-readable reason of a {@link JadaCliError}.
 *
 * - `USAGE`: the command line is wrong (unknown option, missing argument, bad value).
 * - `CONFIG_NOT_FOUND`: the config file named by `--config` or `JADA_CONFIG` does not exist.
 * - `CONFIG_UNREADABLE`: the config file exists but cannot be read.
 * - `CONFIG_INVALID`: the config file is not JSON, or does not match the schema.
 * - `STORE`: the task store cannot be opened or answered with an error.
 * - `HTTP`: the daemon's HTTP server cannot start (port in use, a public address without a token).
 * - `SERVICE`: a step of installing the systemd service failed (useradd, systemctl).
 */
export type JadaCliErrorCode =
  | "USAGE"
  | "CONFIG_NOT_FOUND"
  | "CONFIG_UNREADABLE"
  | "CONFIG_INVALID"
  | "STORE"
  | "HTTP"
  | "SERVICE";

/**
 * An error meant for the person at the terminal: the CLI prints its message (never a stack
 * trace) and exits with {@link JadaCliError.exitCode}.
 */
export class JadaCliError extends Error {
  override readonly name = "JadaCliError";
  readonly code: JadaCliErrorCode;
  /** 2 for usage and configuration errors, as for every command of `jada`. */
  readonly exitCode: number;

  constructor(
    code: JadaCliErrorCode,
    message: string,
    options: { cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitCode = options.exitCode ?? 2;
  }
}
