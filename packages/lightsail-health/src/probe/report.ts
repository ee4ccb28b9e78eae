import type { JournalEntry } from "../types.js";
import { parseJournal } from "./journal.js";
import {
  type DiskUsage,
  type LoadAverage,
  type Memory,
  type ProcessStats,
  parseCpus,
  parseDf,
  parseLoadavg,
  parseMeminfo,
  parseProcess,
  parseSystemctlShow,
  parseUptime,
  type ServiceState,
} from "./parsers.js";
import { type Section, splitSections } from "./sections.js";

/** What the probe observed on the host; every field is undefined when it could not be observed. */
export interface ProbeReport {
  unit: string;
  service: ServiceState | undefined;
  journal: JournalEntry[] | undefined;
  /** Journal lines that were not entries. */
  journalMalformed: number;
  load: LoadAverage | undefined;
  cpus: number | undefined;
  memory: Memory | undefined;
  uptimeSeconds: number | undefined;
  disk: DiskUsage | undefined;
  process: ProcessStats | undefined;
  /** Tails of the named log files. */
  logs: Record<string, string[]>;
  /** What could not be observed, and why: each one makes the verdict at least UNKNOWN. */
  unobserved: string[];
}

/**
 * Turns the probe's output into typed data. A section that is missing (output cut short), whose
 * command failed, or that does not parse is named in `unobserved`, never guessed.
 */
export function parseProbeOutput(
  output: string,
  options: { unit: string; logs?: Readonly<Record<string, string>> },
): ProbeReport {
  const sections = splitSections(output);
  const unobserved: string[] = [];

  const take = <T>(
    name: string,
    parse: (body: string) => T | undefined,
    failedOk = false,
  ): T | undefined => {
    const section: Section | undefined = sections.get(name);
    if (section === undefined) {
      unobserved.push(`${name}: no output (the probe was cut short)`);
      return undefined;
    }
    if (section.exitCode === undefined) {
      unobserved.push(`${name}: output cut short`);
      return undefined;
    }
    if (section.exitCode !== 0 && !failedOk) {
      unobserved.push(
        `${name}: exit ${section.exitCode}${firstLine(section.body) ? `: ${firstLine(section.body)}` : ""}`,
      );
      return undefined;
    }
    const parsed = parse(section.body);
    if (parsed === undefined)
      unobserved.push(
        `${name}: unreadable output${firstLine(section.body) ? ` (${firstLine(section.body)})` : ""}`,
      );
    return parsed;
  };

  let service = take("systemctl", parseSystemctlShow);
  if (service?.loadState === "not-found") {
    unobserved.push(`systemctl: unit ${options.unit} not found`);
    service = undefined;
  }
  const journalSection = sections.get("journal");
  let journal: JournalEntry[] | undefined;
  let journalMalformed = 0;
  if (journalSection?.exitCode === 0) {
    const parsed = parseJournal(journalSection.body);
    journal = parsed.entries;
    journalMalformed = parsed.malformed;
  } else {
    take("journal", () => undefined);
  }
  const hasProcess = service !== undefined && service.mainPid > 0;
  const logs: Record<string, string[]> = {};
  for (const name of Object.keys(options.logs ?? {})) {
    const tail = take(`log:${name}`, (body) => body.split("\n"));
    if (tail) logs[name] = tail;
  }
  return {
    unit: options.unit,
    service,
    journal,
    journalMalformed,
    load: take("loadavg", parseLoadavg),
    cpus: take("cpus", parseCpus),
    memory: take("meminfo", parseMeminfo),
    uptimeSeconds: take("uptime", parseUptime),
    disk: take("df", parseDf),
    // A stopped service has no process to measure: that is the service's finding, not a blind spot.
    process: hasProcess ? take("process", parseProcess) : undefined,
    logs,
    unobserved,
  };
}

function firstLine(text: string): string {
  return (text.trim().split("\n")[0] ?? "").slice(0, 160);
}
