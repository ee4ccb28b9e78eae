// The libraries return a fix as data; jada words it as the command that fixes it.
import type { TokenFix } from "@jada/google-token";
import type { Finding } from "@jada/lightsail-health";

/** The `jada` command that fixes a token problem. */
export function renderTokenFix(fix: TokenFix): string {
  if (fix.action === "check") return `jada tokens check --account ${fix.account}`;
  return `jada auth google --account ${fix.account}${fix.newClient ? " --client-file <client_secret.json>" : ""}`;
}

/** A finding's fix: the `jada` command where the fix is another of jada's tools, else its own. */
export function renderFindingFix(finding: Finding): string | undefined {
  const remedy = finding.remedy;
  if (remedy?.action === "google-reconsent")
    return remedy.account
      ? renderTokenFix({ action: "reconsent", account: remedy.account })
      : "jada tokens check (it names the account), then: jada auth google --account <email>";
  return finding.fix;
}

/** The fix line of an error a library threw: its remedy in jada's words, else its own. */
export function renderErrorFix(error: { fix?: unknown; remedy?: unknown }): string | undefined {
  const remedy = error.remedy as TokenFix | undefined;
  if (remedy && (remedy.action === "reconsent" || remedy.action === "check"))
    return renderTokenFix(remedy);
  return typeof error.fix === "string" && error.fix !== "" ? error.fix : undefined;
}
