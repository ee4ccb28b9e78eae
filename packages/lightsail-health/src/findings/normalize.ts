// Order matters: the specific shapes go before the general ones (a UUID before its hex parts,
// a timestamp before its numbers).
const RULES: Array<[RegExp, string]> = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b/g, "<time>"],
  [/\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, "<time>"],
  [/\b\d{4}-\d{2}-\d{2}\b/g, "<date>"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>"],
  [/\b0x[0-9a-f]+\b/gi, "<hex>"],
  [/\b[0-9a-f]{12,}\b/gi, "<hex>"],
  [/\b[A-Za-z0-9_-]*\d[A-Za-z0-9_-]{15,}\b/g, "<id>"],
  [/\b\d+(?:\.\d+)?\b/g, "<n>"],
];

/**
 * Reduces a log message to its shape, so that the same error on different occasions groups
 * together: timestamps, dates, UUIDs, hex, long ids and numbers become placeholders.
 *
 * @example normalizeMessage("sync failed at 2026-05-13T15:00:02Z after 3 tries") === "sync failed at <time> after <n> tries"
 */
export function normalizeMessage(message: string): string {
  let out = message;
  for (const [pattern, placeholder] of RULES) out = out.replace(pattern, placeholder);
  return out.replace(/\s+/g, " ").trim();
}
