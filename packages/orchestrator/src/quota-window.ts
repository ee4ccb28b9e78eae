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
