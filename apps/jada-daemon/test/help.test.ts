// Every help screen of `jada`, as a person reads it: no words glued together where strings were
// joined ("metadata" + "drift" once printed "metadatadrift"), and every command described.
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { createProgram } from "../src/cli/program.js";
import { runJada } from "./run-jada.js";

// Every command path: ["lint"], ["task", "add"], …
function commandPaths(): string[][] {
  const program = createProgram(
    { stdout: { write() {} }, stderr: { write() {} }, env: {}, cwd: "/" },
    () => {},
  );
  const walk = (command: Command, path: string[]): string[][] =>
    command.commands
      .filter((child) => child.name() !== "help")
      .flatMap((child) => [[...path, child.name()], ...walk(child, [...path, child.name()])]);
  return walk(program, []);
}

// Long words that are words. A word of 12 letters or more outside this list is most likely two
// words glued where a description was split over string literals.
const LONG_WORDS = new Set(
  "authenticated authorization authorize authorization configuration configured distribution distributions documentation environment explicitly fingerprinted immediately information instructions invalidation invalidations misconfigured orchestrator recursively reconnects refreshtoken registration requirements spreadsheets successfully troubleshooting".split(
    " ",
  ),
);

describe("jada --help", () => {
  const paths = commandPaths();

  it("describes every command", () => {
    const program = createProgram(
      { stdout: { write() {} }, stderr: { write() {} }, env: {}, cwd: "/" },
      () => {},
    );
    const undescribed: string[] = [];
    const walk = (command: Command, path: string[]) => {
      for (const child of command.commands) {
        if (child.name() === "help") continue;
        const name = [...path, child.name()].join(" ");
        if (!child.summary() && !child.description()) undescribed.push(name);
        walk(child, [...path, child.name()]);
      }
    };
    walk(program, []);
    expect(undescribed).toEqual([]);
  });

  it("glues no words together on any help screen", async () => {
    const glued: string[] = [];
    for (const path of [[], ...paths]) {
      const { code, stdout } = await runJada([...path, "--help"], { cwd: "/" });
      expect(code).toBe(0);
      // Config keys (pausedProbeSeconds) are camelCase on purpose; prose words are lowercase.
      for (const word of stdout.match(/\b[a-z]{12,}\b/g) ?? [])
        if (!LONG_WORDS.has(word)) glued.push(`${path.join(" ")}: ${word}`);
      // A word run into a parenthesis: "recursively(node_modules".
      for (const match of stdout.match(/[a-z]{3,}\((?!s\))[a-z]/g) ?? [])
        glued.push(`${path.join(" ")}: ${match}`);
    }
    expect(glued).toEqual([]);
  });
});
