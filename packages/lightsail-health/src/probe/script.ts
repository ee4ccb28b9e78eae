/** What the probe gathers on the host. */
export interface ProbeOptions {
  /** The systemd unit (`jada-agent.service`). */
  unit: string;
  /** journalctl's `--since` (`-2h`, `2026-05-13 15:00`). */
  since: string;
  /** Log files to tail, by a name used in the report. */
  logs?: Readonly<Record<string, string>> | undefined;
  /** Lines per log file (default 200). */
  logLines?: number | undefined;
}

/** Quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

export const SECTION_START = "@@jada:";
const SYSTEMCTL_PROPERTIES =
  "LoadState,ActiveState,SubState,MainPID,NRestarts,ActiveEnterTimestamp,MemoryCurrent,ExecMainStatus";

/**
 * The one script the probe runs over SSH: every command in its own delimited section, followed
 * by its exit code, so that one failing command (or a missing unit) is reported as such and never
 * hides the others. Timestamps come out in UTC (`TZ=UTC`).
 */
export function buildProbeScript(options: ProbeOptions): string {
  const unit = shellQuote(options.unit);
  const sections: Array<[string, string]> = [
    ["systemctl", `systemctl show ${unit} -p ${SYSTEMCTL_PROPERTIES} --no-pager`],
    ["journal", `journalctl -u ${unit} -o json --since ${shellQuote(options.since)} --no-pager`],
    ["loadavg", "cat /proc/loadavg"],
    ["meminfo", "cat /proc/meminfo"],
    ["uptime", "cat /proc/uptime"],
    ["cpus", "nproc"],
    ["df", "df -B1 /"],
    [
      "process",
      `pid=$(systemctl show ${unit} -p MainPID --value); if [ "\${pid:-0}" -gt 0 ] 2>/dev/null; then ps -o pid=,pcpu=,rss= -p "$pid"; else echo "no main process"; false; fi`,
    ],
  ];
  for (const [name, path] of Object.entries(options.logs ?? {})) {
    sections.push([`log:${name}`, `tail -n ${options.logLines ?? 200} ${shellQuote(path)}`]);
  }
  const body = sections
    .map(
      ([name, command]) =>
        `printf '\\n${SECTION_START}%s@@\\n' ${shellQuote(name)}\n{ ${command}; } 2>&1\nprintf '\\n${SECTION_START}end %s rc=%s@@\\n' ${shellQuote(name)} "$?"`,
    )
    .join("\n");
  return `export TZ=UTC LC_ALL=C\n${body}\n`;
}
