// The one table from library errors to what the person at the terminal sees: one line, the fix
// on its own line when one is known, and an exit code. Commands never map errors themselves.
import { JadaCliError, type JadaCliErrorCode } from "../errors.js";
import { renderErrorFix } from "./fixes.js";

/** How an error of a library (matched by its `name` and `code`) reaches the terminal. */
interface ErrorRule {
  /** The `name` of the library's error class. */
  name: string;
  /** The exit code by the error's `code`; `default` for the rest. */
  exit: Record<string, number> & { default: number };
  cliCode: JadaCliErrorCode;
}

/**
 * Exit codes of library failures: 1 for a failed check (a promote gate), 2 for everything a
 * person must fix (configuration, credentials, a revoked token, an unreachable store).
 */
export const ERROR_RULES: readonly ErrorRule[] = [
  { name: "StaticDeployError", exit: { default: 2, GATE_FAILED: 1 }, cliCode: "USAGE" },
  // A sync that Google or the source failed (after the retries) is a failed run, not a mistake.
  {
    name: "GoogleTokenError",
    exit: { default: 2, TRANSIENT: 1, API_FAILED: 1, REQUEST_BUDGET: 1 },
    cliCode: "USAGE",
  },
  { name: "SheetSourceError", exit: { default: 2, SOURCE_UNREACHABLE: 1 }, cliCode: "USAGE" },
  { name: "OrchestratorError", exit: { default: 2 }, cliCode: "STORE" },
  { name: "HealthError", exit: { default: 2 }, cliCode: "USAGE" },
];

// AWS SDK failures that are the person's to fix, whatever command met them.
const AWS_SETUP = [
  {
    test: (error: Error) => error.name === "CredentialsProviderError",
    message: "no AWS credentials found",
    fix: "set AWS_PROFILE (see aws configure), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; on an instance, attach a role",
  },
  {
    test: (error: Error) => /^Region is missing/.test(error.message),
    message: "no AWS region set",
    fix: 'set aws.region in jada.config.json (for example "us-west-2"), or AWS_REGION',
  },
] as const;

/**
 * The {@link JadaCliError} for an error a library (or the AWS SDK) threw, or undefined when it
 * is not one a person can act on (a bug: the CLI says "internal error").
 *
 * @param overrideExit an exit code that replaces the table's (`jada health` speaks Nagios: 3).
 */
export function toCliError(error: unknown, overrideExit?: number): JadaCliError | undefined {
  if (error instanceof JadaCliError)
    return overrideExit === undefined || error.exitCode === overrideExit
      ? error
      : new JadaCliError(error.code, error.message, { cause: error.cause, exitCode: overrideExit });
  if (!(error instanceof Error)) return undefined;
  // A library may wrap the SDK's error ("listing s3://… failed"): its cause says what to fix.
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const setup = AWS_SETUP.find((candidate) => candidate.test(cause as Error));
    if (setup)
      return new JadaCliError("USAGE", `${setup.message}\nfix: ${setup.fix}`, {
        cause: error,
        exitCode: overrideExit ?? 2,
      });
    cause = cause.cause;
  }
  const rule = ERROR_RULES.find((candidate) => candidate.name === error.name);
  if (rule === undefined) return undefined;
  const code = (error as { code?: unknown }).code;
  const fix = renderErrorFix(error as Parameters<typeof renderErrorFix>[0]);
  const fixLine = fix && !error.message.includes(fix) ? `\nfix: ${fix}` : "";
  return new JadaCliError(rule.cliCode, `${error.message}${fixLine}`, {
    cause: error,
    exitCode:
      overrideExit ?? (typeof code === "string" ? rule.exit[code] : undefined) ?? rule.exit.default,
  });
}
