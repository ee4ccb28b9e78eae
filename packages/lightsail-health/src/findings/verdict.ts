import type { Finding, Verdict } from "../types.js";

/**
 * The verdict of a health check: CRITICAL when anything is critical; otherwise UNKNOWN when
 * anything could not be observed (an API error, an SSH failure, a missing unit: never OK by
 * default); otherwise WARNING when anything warns; otherwise OK.
 */
export function verdictOf(findings: readonly Finding[], unobserved: readonly string[]): Verdict {
  if (findings.some((finding) => finding.severity === "critical")) return "CRITICAL";
  if (unobserved.length > 0) return "UNKNOWN";
  if (findings.some((finding) => finding.severity === "warning")) return "WARNING";
  return "OK";
}
