// The scopes a re-consent must ask for when a call needs one the account's token lacks:
// `jada auth google --scopes` replaces the list, so the fix keeps the scopes the account holds.
import type { GoogleServices } from "./services.js";

/** The account's scopes (else the configured ones) and `needed`, without the consent's own. */
export async function reconsentScopes(
  google: GoogleServices,
  account: string,
  needed: readonly string[],
): Promise<string[]> {
  const record = await google.store.get(account).catch(() => undefined);
  // openid and email are the consent's own, asked for every time.
  const held = (record?.scopes ?? google.config.scopes).filter((scope) => scope.includes("/"));
  return [...new Set([...held, ...needed])];
}
