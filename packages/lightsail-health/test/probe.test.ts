import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hostFindings } from "../src/findings/host-findings.js";
import {
  parseCpus,
  parseDf,
  parseLoadavg,
  parseMeminfo,
  parseProcess,
  parseSystemctlShow,
  parseUptime,
} from "../src/probe/parsers.js";
import { parseProbeOutput } from "../src/probe/report.js";
import { buildProbeScript, shellQuote } from "../src/probe/script.js";
import { splitSections } from "../src/probe/sections.js";

const host = (name: string) =>
  readFileSync(new URL(`./fixtures/host/${name}`, import.meta.url), "utf8");
const shims = fileURLToPath(new URL("./shims", import.meta.url));

describe("section parsers", () => {
  it("reads systemctl show, including unset values and a failed unit", () => {
    expect(parseSystemctlShow(host("systemctl-show-active.txt"))).toEqual({
      loadState: "loaded",
      activeState: "active",
      subState: "running",
      mainPid: 812,
      restarts: 0,
      activeSince: "2026-05-13T14:50:01Z",
      memoryBytes: 187203584,
      execMainStatus: 0,
    });
    expect(parseSystemctlShow(host("systemctl-show-failed.txt"))).toMatchObject({
      activeState: "failed",
      restarts: 5,
      memoryBytes: undefined,
      execMainStatus: 1,
    });
    expect(parseSystemctlShow(host("systemctl-show-notfound.txt"))?.loadState).toBe("not-found");
  });

  it("reads /proc and df and ps", () => {
    expect(parseMeminfo(host("meminfo.txt"))).toEqual({
      totalBytes: 935960 * 1024,
      availableBytes: 402660 * 1024,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    });
    expect(parseLoadavg(host("loadavg.txt"))).toEqual({ one: 0.42, five: 0.31, fifteen: 0.27 });
    expect(parseUptime(host("uptime.txt"))).toBe(1287043.17);
    expect(parseDf(host("df.txt"))).toEqual({
      mount: "/",
      totalBytes: 41555521536,
      usedBytes: 37401247744,
      availableBytes: 1968443392,
      usePercent: 95,
    });
    expect(parseProcess(host("ps.txt"))).toEqual({
      pid: 812,
      cpuPercent: 3.4,
      rssBytes: 182812 * 1024,
    });
    expect(parseCpus("2\n")).toBe(2);
  });

  it.each([
    ["garbage", "%%% not what was expected \u0000"],
    ["empty", ""],
    ["truncated", "LoadState=lo"],
  ])("returns undefined for %s output instead of crashing", (_label, text) => {
    for (const parse of [
      parseSystemctlShow,
      parseMeminfo,
      parseLoadavg,
      parseDf,
      parseProcess,
      parseUptime,
      parseCpus,
    ]) {
      expect(() => parse(text)).not.toThrow();
    }
    expect(parseMeminfo(text)).toBeUndefined();
    expect(parseDf(text)).toBeUndefined();
    expect(parseLoadavg(text)).toBeUndefined();
  });
});

describe("splitSections", () => {
  it("keeps each section's body and exit code, and marks one cut short", () => {
    const output =
      "\n@@jada:a@@\nline 1\nline 2\n\n@@jada:end a rc=0@@\n\n@@jada:b@@\noops\n\n@@jada:end b rc=3@@\n\n@@jada:c@@\npartial";
    const sections = splitSections(output);
    expect(sections.get("a")).toEqual({ body: "line 1\nline 2", exitCode: 0 });
    expect(sections.get("b")).toEqual({ body: "oops", exitCode: 3 });
    expect(sections.get("c")).toEqual({ body: "partial", exitCode: undefined });
  });
});

describe("the probe script, run by a real shell", () => {
  function probe(env: Record<string, string> = {}) {
    const logFile = fileURLToPath(new URL("./fixtures/host/loadavg.txt", import.meta.url));
    const script = buildProbeScript({
      unit: "jada-agent.service",
      since: "-2h",
      logs: { sync: logFile },
    });
    const output = execFileSync("sh", ["-s"], {
      input: script,
      encoding: "utf8",
      env: { PATH: `${shims}:${process.env["PATH"]}`, ...env },
    });
    return parseProbeOutput(output, { unit: "jada-agent.service", logs: { sync: "x" } });
  }

  it("gathers every section into typed data", () => {
    const report = probe();
    expect(report.unobserved).toEqual([]);
    expect(report.service).toMatchObject({ activeState: "active", mainPid: 812 });
    expect(report.journal).toHaveLength(66);
    expect(report.memory?.totalBytes).toBeGreaterThan(0);
    expect(report.disk?.mount).toBe("/");
    expect(report.cpus).toBeGreaterThan(0);
    expect(report.process).toEqual({ pid: 812, cpuPercent: 3.4, rssBytes: 182812 * 1024 });
    expect(report.logs["sync"]).toEqual(["0.42 0.31 0.27 2/187 31337"]);
  });

  it("reports a missing unit as unobserved, never guessed", () => {
    const report = probe({ JADA_SHIM_STATE: "notfound" });
    expect(report.service).toBeUndefined();
    expect(report.unobserved).toEqual(["systemctl: unit jada-agent.service not found"]);
  });

  it("reports a failed command with its exit code and first line", () => {
    const report = parseProbeOutput(
      "\n@@jada:df@@\ndf: /: No such file or directory\n\n@@jada:end df rc=1@@\n",
      { unit: "u" },
    );
    expect(report.unobserved).toContain("df: exit 1: df: /: No such file or directory");
    expect(report.unobserved).toContain("systemctl: no output (the probe was cut short)");
  });

  it("quotes what it interpolates", () => {
    expect(shellQuote("it's; rm -rf /")).toBe("'it'\\''s; rm -rf /'");
    expect(buildProbeScript({ unit: "x'; reboot; '", since: "-1h" })).toContain(
      "'x'\\''; reboot; '\\'''",
    );
  });
});

describe("hostFindings", () => {
  const base = parseProbeOutput("", { unit: "jada-agent.service" });
  it("flags a failed service, a restart loop, a full disk, low memory, high load, burst and status checks", () => {
    const findings = hostFindings(
      {
        ...base,
        service: parseSystemctlShow(host("systemctl-show-failed.txt")),
        disk: parseDf(host("df.txt")),
        memory: { totalBytes: 1000, availableBytes: 40, swapTotalBytes: 0, swapFreeBytes: 0 },
        load: { one: 5, five: 4, fifteen: 3 },
        cpus: 2,
      },
      { burstCapacityPercent: 8, statusCheckFailedMax: 1 },
    );
    expect(findings.map((finding) => [finding.id, finding.severity])).toEqual([
      ["service-down", "critical"],
      ["restart-loop", "critical"],
      ["disk", "critical"],
      ["memory", "critical"],
      ["load", "warning"],
      ["burst-capacity", "critical"],
      ["status-check", "critical"],
    ]);
    expect(findings[2]?.summary).toBe("disk / is 95% full (1.8 GiB left)");
  });

  it("is quiet for a healthy host, and honors custom thresholds", () => {
    const healthy = {
      ...base,
      service: parseSystemctlShow(host("systemctl-show-active.txt")),
      disk: {
        ...(parseDf(host("df.txt")) as NonNullable<ReturnType<typeof parseDf>>),
        usePercent: 40,
      },
    };
    expect(hostFindings(healthy, { burstCapacityPercent: 90, statusCheckFailedMax: 0 })).toEqual(
      [],
    );
    expect(
      hostFindings(healthy, {}, { diskWarningPercent: 30 }).map((finding) => finding.id),
    ).toEqual(["disk"]);
  });
});
