// Debian's Chromium, driven by playwright-core. Missing, it fails the run under CI=true (.ci/run
// installs it) and, locally, skips the browser tests with the reason printed.
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Where Chromium is, or why the browser tests cannot run. */
export function findChromium(): { path: string } | { path: undefined; reason: string } {
  const candidates = process.env["JADA_CHROMIUM"]
    ? [process.env["JADA_CHROMIUM"]]
    : (process.env["PATH"] ?? "")
        .split(delimiter)
        .flatMap((dir) => ["chromium", "chromium-browser"].map((name) => join(dir, name)));
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path !== undefined) return { path };
  const reason = "Chromium is not installed (apt-get install chromium, or set JADA_CHROMIUM)";
  if (process.env["CI"] === "true") throw new Error(`${reason}: CI=true requires it`);
  console.warn(`skipping the dashboard's browser tests: ${reason}`);
  return { path: undefined, reason };
}
