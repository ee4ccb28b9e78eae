/** `systemctl show` of the unit. */
export interface ServiceState {
  loadState: string;
  activeState: string;
  subState: string;
  mainPid: number;
  restarts: number;
  /** When it last became active, ISO 8601 (UTC). */
  activeSince: string | undefined;
  memoryBytes: number | undefined;
  execMainStatus: number | undefined;
}

/** Parses `systemctl show -p …` (key=value lines). */
export function parseSystemctlShow(text: string): ServiceState | undefined {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const equals = line.indexOf("=");
    if (equals > 0) values.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim());
  }
  const loadState = values.get("LoadState");
  const activeState = values.get("ActiveState");
  if (loadState === undefined || activeState === undefined) return undefined;
  return {
    loadState,
    activeState,
    subState: values.get("SubState") ?? "",
    mainPid: integer(values.get("MainPID")) ?? 0,
    restarts: integer(values.get("NRestarts")) ?? 0,
    activeSince: systemdTime(values.get("ActiveEnterTimestamp")),
    memoryBytes: integer(values.get("MemoryCurrent")),
    execMainStatus: integer(values.get("ExecMainStatus")),
  };
}

// `Mon 2026-11-23 18:40:12 UTC` (the probe runs with TZ=UTC); empty or "n/a" when never active.
function systemdTime(value: string | undefined): string | undefined {
  const match = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC/.exec(value ?? "");
  return match ? `${match[1]}T${match[2]}Z` : undefined;
}

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  // systemd prints 2^64-1 for "infinity" / unset counters.
  return Number.isSafeInteger(number) ? number : undefined;
}

/** `/proc/loadavg`. */
export interface LoadAverage {
  one: number;
  five: number;
  fifteen: number;
}

export function parseLoadavg(text: string): LoadAverage | undefined {
  const [one, five, fifteen] = text.trim().split(/\s+/).map(Number);
  if (![one, five, fifteen].every((value) => Number.isFinite(value))) return undefined;
  return { one: one as number, five: five as number, fifteen: fifteen as number };
}

/** `/proc/meminfo`, in bytes. */
export interface Memory {
  totalBytes: number;
  availableBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

export function parseMeminfo(text: string): Memory | undefined {
  const kib = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\w+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (match) kib.set(match[1] as string, Number(match[2]) * 1024);
  }
  const total = kib.get("MemTotal");
  const available = kib.get("MemAvailable");
  if (total === undefined || available === undefined) return undefined;
  return {
    totalBytes: total,
    availableBytes: available,
    swapTotalBytes: kib.get("SwapTotal") ?? 0,
    swapFreeBytes: kib.get("SwapFree") ?? 0,
  };
}

/** `/proc/uptime`: seconds since boot. */
export function parseUptime(text: string): number | undefined {
  const seconds = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** `nproc`. */
export function parseCpus(text: string): number | undefined {
  const cpus = Number(text.trim());
  return Number.isInteger(cpus) && cpus > 0 ? cpus : undefined;
}

/** `df -B1 /`. */
export interface DiskUsage {
  mount: string;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  /** Used share of what non-root users can have, as df computes it. */
  usePercent: number;
}

export function parseDf(text: string): DiskUsage | undefined {
  const lines = text
    .trim()
    .split("\n")
    .filter((line) => line.trim() !== "");
  // Header, then one line (which df may wrap after a long device name).
  const data = lines.slice(1).join(" ").trim().split(/\s+/);
  if (data.length < 6) return undefined;
  const [, total, used, available, percent, mount] = data;
  const numbers = [total, used, available].map(Number);
  const usePercent = Number((percent ?? "").replace("%", ""));
  if (!numbers.every(Number.isFinite) || !Number.isFinite(usePercent)) return undefined;
  return {
    mount: mount as string,
    totalBytes: numbers[0] as number,
    usedBytes: numbers[1] as number,
    availableBytes: numbers[2] as number,
    usePercent,
  };
}

/** `ps -o pid=,pcpu=,rss=` of the main process. */
export interface ProcessStats {
  pid: number;
  cpuPercent: number;
  rssBytes: number;
}

export function parseProcess(text: string): ProcessStats | undefined {
  const [pid, cpu, rss] = text.trim().split(/\s+/).map(Number);
  if (![pid, cpu, rss].every((value) => Number.isFinite(value))) return undefined;
  return { pid: pid as number, cpuPercent: cpu as number, rssBytes: (rss as number) * 1024 };
}
