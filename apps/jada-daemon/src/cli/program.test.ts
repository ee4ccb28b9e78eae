import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutputStream } from "../io.js";
import { main } from "./program.js";

class Capture implements OutputStream {
  text = "";
  readonly isTTY: boolean;
  constructor(isTTY: boolean) {
    this.isTTY = isTTY;
  }
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "jada-program-"));
  await writeFile(join(dir, "a.html"), "<script>var a = {{ b }};</script>");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[], env: Record<string, string> = {}, tty = true) {
  const stdout = new Capture(tty);
  const stderr = new Capture(tty);
  const code = await main(args, { stdout, stderr, env, cwd: dir });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe("main", () => {
  it("colors stylish output on a terminal", async () => {
    const { code, stdout } = await run(["lint", join(dir, "a.html")]);
    expect(code).toBe(1);
    expect(stdout).toContain("\u001b[31m");
  });

  it("never colors with NO_COLOR", async () => {
    const { stdout } = await run(["lint", join(dir, "a.html")], { NO_COLOR: "1" });
    expect(stdout).toContain("error");
    expect(stdout).not.toContain("\u001b[");
  });
});
