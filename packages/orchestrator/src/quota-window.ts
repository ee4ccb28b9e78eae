import type { QuotaLimit, QuotaStatus, SessionRecord } from "./types.js";

/**
 * The quota day that `time` falls in: from the rollover instant (minutes after 00:00 UTC,
 * default 0) to the same instant the next day.
 */
export function quotaWindow(time: number, rolloverMinutes = 0): { start: number; end: number } {
  const DAY = 86_400_000;
  const offset = rolloverMinutes * 60_000;
  const start = Math.floor((time - offset) / DAY) * DAY + offset;
  return { start, end: start + DAY };
}

/** Every token a session was billed for: input, output, cache reads and cache writes. */
export function totalTokens(usage: NonNullable<SessionRecord["usage"]>): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

/** The day's limits: sessions always; tokens and dollars when budgeted. */
export interface QuotaLimits {
  sessions: number;
  tokens?: number | undefined;
  usd?: number | undefined;
}

/** A {@link QuotaStatus} from what a quota day has spent (adapters share it). */
export function quotaStatus(
  spent: { used: number; tokens: number; usd: number },
  limits: QuotaLimits,
  resetsAt: number,
): QuotaStatus {
  return {
    used: spent.used,
    limit: limits.sessions,
    resetsAt: new Date(resetsAt).toISOString(),
    ...(limits.tokens !== undefined
      ? { tokens: { used: spent.tokens, limit: limits.tokens } }
      : {}),
    ...(limits.usd !== undefined ? { usd: { used: spent.usd, limit: limits.usd } } : {}),
  };
}

/** Which of the day's limits is spent, if any: no session may start then. */
export function spentLimit(quota: QuotaStatus): QuotaLimit | undefined {
  if (quota.used >= quota.limit) return "sessions";
  if (quota.tokens && quota.tokens.used >= quota.tokens.limit) return "tokens";
  if (quota.usd && quota.usd.used >= quota.usd.limit) return "usd";
  return undefined;
}
