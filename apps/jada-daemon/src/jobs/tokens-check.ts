// tokens-check: every stored Google account refreshed; a dead or dying token alerts at once,
// with the command that fixes it.
import { JobError, type JobSpec } from "@jada/orchestrator";
import type { JobsContext } from "../compose/jobs.js";
import { renderTokenFix } from "../render/fixes.js";

/** The spec of `tokens-check` (every 6 hours; the config may override it). */
export function tokensCheck(context: JobsContext): JobSpec {
  return {
    name: "tokens-check",
    schedule: "6h",
    // A revoked token is found within one period, not "at the next run in a day".
    missed: "once",
    async run() {
      const google = await context.services.google();
      const results = await google.manager.checkAll({ refresh: true });
      const broken = results.filter(
        (health) =>
          health.status === "revoked" ||
          health.status === "misconfigured" ||
          health.status === "expiring",
      );
      const first = broken[0];
      if (first !== undefined)
        throw new JobError(
          broken
            .map(
              (health) =>
                `${health.account} is ${health.status}${health.reasons[0] ? `: ${health.reasons[0]}` : ""}`,
            )
            .join("; "),
          {
            code: `TOKEN_${first.status.toUpperCase()}`,
            fix: first.remedy ? renderTokenFix(first.remedy) : undefined,
            // Waiting does not bring a revoked or dying token back: alert at once.
            retryable: false,
          },
        );
      const unknown = results.filter((health) => health.status === "unknown");
      if (unknown.length > 0)
        throw new JobError(
          `Google could not be asked about ${unknown.map((health) => health.account).join(", ")}: ${unknown[0]?.reasons[0] ?? "unknown"}`,
          { code: "TOKEN_UNKNOWN", retryable: true },
        );
    },
  };
}
