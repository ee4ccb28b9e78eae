/** A regular interval between occurrences, in milliseconds, if there is one. */
export function inferPeriod(times: readonly number[]): number | undefined {
  if (times.length < 3) return undefined;
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push((times[i] as number) - (times[i - 1] as number));
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  if (median <= 0) return undefined;
  // Regular: most gaps within 20% of the median (a missed run or a restart may break one or two).
  const regular = gaps.filter((gap) => Math.abs(gap - median) <= median * 0.2).length;
  return regular >= gaps.length * 0.75 ? median : undefined;
}

/** `30 min`, `2 h`, `45 s`, `1 d`: a period as a person says it. */
export function describeDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 600) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

/** `2026-05-13 15:00 UTC`. */
export function describeTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
