// What a Google account's token looks like to a person (the dashboard, /api, the agent's
// check_tokens): its status and the `jada` command that fixes it, never a secret.
import type { TokenHealth, TokenManager } from "@jada/google-token";
import { renderTokenFix } from "../render/fixes.js";

/** One account's token. */
export interface TokenRow {
  account: string;
  status: TokenHealth["status"];
  reasons: string[];
  warnings: string[];
  lastRefreshOk: string | null;
  /** The `jada` command that fixes it, or null. */
  fix: string | null;
}

/** Every stored account's token: with `refresh`, each is refreshed (asks Google); else judged from the store. */
export async function describeTokens(manager: TokenManager, refresh: boolean): Promise<TokenRow[]> {
  const results = await manager.checkAll({ refresh });
  return results.map((health) => ({
    account: health.account,
    status: health.status,
    reasons: health.reasons,
    warnings: health.warnings,
    lastRefreshOk: health.lastRefreshOk ?? null,
    fix: health.remedy ? renderTokenFix(health.remedy) : null,
  }));
}
