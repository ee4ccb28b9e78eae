// The libraries return a fix as data; jada words it as the command that fixes it.
import type { TokenFix } from "@jada/google-token";
import type { Finding } from "@jada/lightsail-health";

/** The `jada` command that fixes a token problem. */
export function renderTokenFix(fix: TokenFix): string {
  if (fix.action === "check") return `jada tokens check --account ${fix.account}`;
  return `jada auth google --account ${fix.account}${fix.newClient ? " --client-file <client_secret.json>" : ""}${fix.scopes?.length ? ` --scopes ${fix.scopes.join(",")}` : ""}`;
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
export function renderErrorFix(error: {
  name?: unknown;
  code?: unknown;
  path?: unknown;
  fix?: unknown;
  remedy?: unknown;
}): string | undefined {
  const remedy = error.remedy;
  if (remedy === "migrate")
    return "jada migrate (stop the daemons first when the schema is shared)";
  if (remedy === "upgrade") return "upgrade jada here to the version that migrated the schema";
  if (
    typeof remedy === "object" &&
    remedy !== null &&
    ((remedy as TokenFix).action === "reconsent" || (remedy as TokenFix).action === "check")
  )
    return renderTokenFix(remedy as TokenFix);
  // A promote stopped at the lint gate names the site it linted: the whole report is one command.
  if (
    error.name === "StaticDeployError" &&
    error.code === "GATE_FAILED" &&
    typeof error.path === "string"
  )
    return `jada lint ${error.path}`;
  return typeof error.fix === "string" && error.fix !== "" ? error.fix : undefined;
}
