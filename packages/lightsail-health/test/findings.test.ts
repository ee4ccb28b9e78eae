import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzeJournalText } from "../src/analyze.js";
import { journalFindings } from "../src/findings/journal-findings.js";
import { normalizeMessage } from "../src/findings/normalize.js";
import { describeDuration, inferPeriod } from "../src/findings/period.js";
import { verdictOf } from "../src/findings/verdict.js";
import { parseJournal } from "../src/probe/journal.js";

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

describe("parseJournal", () => {
  it("reads journalctl -o json lines into typed entries, in time order", () => {
    const { entries, malformed } = parseJournal(fixture("agent-token-failure.journal.json"));
    expect(malformed).toBe(0);
    expect(entries).toHaveLength(66);
    expect(entries[0]).toEqual({
      time: Date.parse("2026-05-13T14:50:02Z"),
      message: "agent daemon started; polling every 60 s",
      priority: 6,
      identifier: "jada-agent",
      pid: 812,
    });
  });

  it("decodes byte-array messages and counts garbage, truncated and timestamp-less lines", () => {
    const bytes = JSON.stringify({ __REALTIME_TIMESTAMP: "1000000", MESSAGE: [104, 195, 169] });
    expect(parseJournal(bytes).entries[0]?.message).toBe("hé");
    const { entries, malformed } = parseJournal(fixture("malformed.journal.json"));
    expect(entries).toHaveLength(3);
    expect(malformed).toBe(4);
    expect(parseJournal("")).toEqual({ entries: [], malformed: 0 });
  });
});

describe("normalizeMessage", () => {
  it.each([
    ["sync failed at 2026-05-13T15:00:02Z after 3 tries", "sync failed at <time> after <n> tries"],
    ["task 412: session 8812 ended", "task <n>: session <n> ended"],
    ["request 3f2a9c1e-0b7d-4c1a-9e2f-1a2b3c4d5e6f timed out", "request <uuid> timed out"],
    ["bad pointer 0x7ffe12ab in deadbeefcafebabe1234", "bad pointer <hex> in <hex>"],
    ["  spaces   collapse ", "spaces collapse"],
  ])("%s", (input, expected) => {
    expect(normalizeMessage(input)).toBe(expected);
  });
});

describe("inferPeriod", () => {
  it("finds a regular interval despite jitter, and none in irregular times", () => {
    const half = 30 * 60_000;
    const period = inferPeriod([0, half + 2000, 2 * half + 1000, 3 * half + 2500]) ?? 0;
    expect(Math.abs(period - half)).toBeLessThan(5000);
    expect(inferPeriod([0, 1000, 60_000, 61_000, 3_600_000])).toBeUndefined();
    expect(inferPeriod([0, 5])).toBeUndefined();
    expect(describeDuration(30 * 60_000)).toBe("30 min");
    expect(describeDuration(2 * 3_600_000)).toBe("2 h");
  });
});

describe("journalFindings", () => {
  it("finds the 30-minute Google token failure, with its period and the fix", () => {
    const { entries } = parseJournal(fixture("agent-token-failure.journal.json"));
    const findings = journalFindings(entries, { unit: "jada-agent.service" });
    const token = findings.find((finding) => finding.id === "google-token");
    expect(token).toMatchObject({
      severity: "critical",
      count: 19,
      firstSeen: expect.stringMatching(/^2026-05-13T15:00:0/),
      remedy: { action: "google-reconsent" },
    });
    expect(token?.summary).toContain("every 30 min since 2026-05-13 15:00 UTC, 19 times");
    expect(token?.evidence).toHaveLength(3);
    expect(token?.evidence[0]).toContain("token error: HTTP Error 400: Bad Request");
  });

  it("names the account in the fix when the log does", () => {
    const line = (t: number) =>
      JSON.stringify({
        __REALTIME_TIMESTAMP: String(t * 1000),
        PRIORITY: "3",
        MESSAGE: "refresh for ops@sailjada.com: invalid_grant",
      });
    const { entries } = parseJournal([1, 2, 3].map((i) => line(i * 1_800_000)).join("\n"));
    expect(journalFindings(entries)[0]?.remedy).toEqual({
      action: "google-reconsent",
      account: "ops@sailjada.com",
    });
  });

  it("finds sessions ending on the turn limit and other recurring errors, grouped by shape", () => {
    const { entries } = parseJournal(fixture("agent-token-failure.journal.json"));
    const findings = journalFindings(entries);
    expect(findings.find((finding) => finding.id === "max-turns")).toMatchObject({
      severity: "warning",
      count: 4,
    });
    const recurring = findings.filter((finding) => finding.id === "recurring-error");
    expect(recurring.map((finding) => [finding.summary.split(":")[0], finding.count])).toEqual([
      ['"booking sync', 19],
      ['"ConnectionResetError', 4],
    ]);
    expect(recurring[0]?.summary).toContain("every 30 min");
    expect(recurring[1]?.summary).toMatch(/4 times since/);
  });

  it("finds a restart loop from systemd's start lines", () => {
    const { entries } = parseJournal(fixture("restart-loop.journal.json"));
    const loop = journalFindings(entries, { unit: "jada-agent.service" }).find(
      (finding) => finding.id === "restart-loop",
    );
    expect(loop).toMatchObject({ severity: "critical", count: 5 });
    expect(loop?.summary).toContain("every 95 s");
  });
});

describe("verdictOf", () => {
  const warning = { id: "w", severity: "warning" as const, summary: "", evidence: [] };
  const critical = { ...warning, severity: "critical" as const };
  it("is CRITICAL, then UNKNOWN when something was not observed, then WARNING, then OK", () => {
    expect(verdictOf([warning, critical], ["ssh failed"])).toBe("CRITICAL");
    expect(verdictOf([warning], ["metrics: AccessDenied"])).toBe("UNKNOWN");
    expect(verdictOf([], ["unit not found"])).toBe("UNKNOWN");
    expect(verdictOf([warning], [])).toBe("WARNING");
    expect(verdictOf([], [])).toBe("OK");
  });
});

describe("analyzeJournalText", () => {
  it("is CRITICAL for the incident's journal", () => {
    const analysis = analyzeJournalText(fixture("agent-token-failure.journal.json"), {
      unit: "jada-agent.service",
    });
    expect(analysis).toMatchObject({ verdict: "CRITICAL", entries: 66, malformed: 0 });
  });

  it("is UNKNOWN for an empty journal, never OK", () => {
    expect(analyzeJournalText("").verdict).toBe("UNKNOWN");
    expect(analyzeJournalText("garbage\n{oops").verdict).toBe("UNKNOWN");
  });

  it("reports skipped lines without failing the good ones", () => {
    const analysis = analyzeJournalText(fixture("malformed.journal.json"));
    expect(analysis).toMatchObject({ verdict: "OK", entries: 3, malformed: 4 });
    expect(analysis.findings).toEqual([
      expect.objectContaining({ id: "journal-malformed", severity: "info" }),
    ]);
  });
});
