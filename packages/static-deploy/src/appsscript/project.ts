// An Apps Script project as files: read from a local directory (`.gs`/`.js` server code, `.html`
// templates, `appsscript.json` the manifest), linted before anything is sent (the code parses as
// JavaScript, the manifest is the JSON Apps Script requires), hashed, and compared with the
// live content file by file.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { parse } from "acorn";
import { diffLines } from "diff";
import { StaticDeployError } from "../errors.js";

/** A file of an Apps Script project, as the API names them (no extension). */
export interface ScriptFile {
  name: string;
  type: "SERVER_JS" | "HTML" | "JSON";
  source: string;
}

/** A problem found in a project's sources. */
export interface ScriptFinding {
  file: string;
  line?: number | undefined;
  column?: number | undefined;
  message: string;
}

const TYPES: Record<string, ScriptFile["type"]> = {
  ".gs": "SERVER_JS",
  ".js": "SERVER_JS",
  ".html": "HTML",
};

/**
 * The project in `dir`: every `.gs`, `.js` and `.html` file (subdirectories become `a/b` names,
 * as clasp pushes them) and `appsscript.json`.
 *
 * @throws {StaticDeployError} `SITE_INVALID` when the directory is missing or has no manifest.
 */
export async function readScriptProject(dir: string): Promise<ScriptFile[]> {
  const files: ScriptFile[] = [];
  const walk = async (relative: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(join(dir, relative), { withFileTypes: true });
    } catch (error) {
      throw new StaticDeployError(
        "SITE_INVALID",
        `the Apps Script directory ${join(dir, relative)} cannot be read: ${(error as NodeJS.ErrnoException).code}`,
        { cause: error, path: dir },
      );
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory()) await walk(path);
      else if (path === "appsscript.json")
        files.push({
          name: "appsscript",
          type: "JSON",
          source: await readFile(join(dir, path), "utf8"),
        });
      else {
        const type = TYPES[extname(entry.name).toLowerCase()];
        if (type)
          files.push({
            name: path.slice(0, -extname(path).length),
            type,
            source: await readFile(join(dir, path), "utf8"),
          });
      }
    }
  };
  await walk("");
  if (!files.some((file) => file.type === "JSON"))
    throw new StaticDeployError(
      "SITE_INVALID",
      `${dir} has no appsscript.json: an Apps Script project needs its manifest (clasp pull writes it)`,
      { path: dir },
    );
  return files;
}

/** Problems in the project's sources: code that does not parse, a manifest Apps Script refuses. */
export function lintScriptProject(files: readonly ScriptFile[]): ScriptFinding[] {
  const findings: ScriptFinding[] = [];
  for (const file of files) {
    if (file.type === "SERVER_JS") {
      try {
        parse(file.source, { ecmaVersion: "latest", sourceType: "script", locations: true });
      } catch (error) {
        const at = (error as { loc?: { line: number; column: number } }).loc;
        findings.push({
          file: `${file.name}.gs`,
          line: at?.line,
          column: at === undefined ? undefined : at.column + 1,
          message: `does not parse as JavaScript: ${(error as Error).message.replace(/ \(\d+:\d+\)$/, "")}`,
        });
      }
    } else if (file.type === "JSON") findings.push(...lintManifest(file.source));
  }
  return findings;
}

// What Apps Script requires of appsscript.json (and refuses at push time otherwise).
function lintManifest(source: string): ScriptFinding[] {
  const file = "appsscript.json";
  let manifest: unknown;
  try {
    manifest = JSON.parse(source);
  } catch (error) {
    return [{ file, message: `is not valid JSON: ${(error as Error).message}` }];
  }
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest))
    return [{ file, message: "must be a JSON object" }];
  const m = manifest as Record<string, unknown>;
  const findings: ScriptFinding[] = [];
  if (typeof m["timeZone"] !== "string" || !m["timeZone"])
    findings.push({
      file,
      message: 'needs "timeZone" (an IANA zone such as "America/Los_Angeles")',
    });
  if (
    m["runtimeVersion"] !== undefined &&
    !["V8", "STABLE", "DEPRECATED_ES5"].includes(String(m["runtimeVersion"]))
  )
    findings.push({
      file,
      message: `"runtimeVersion" is "V8" or "DEPRECATED_ES5", not "${m["runtimeVersion"]}"`,
    });
  if (
    m["exceptionLogging"] !== undefined &&
    !["NONE", "STACKDRIVER", "CLOUD"].includes(String(m["exceptionLogging"]))
  )
    findings.push({
      file,
      message: `"exceptionLogging" is "STACKDRIVER", "CLOUD" or "NONE", not "${m["exceptionLogging"]}"`,
    });
  const webapp = m["webapp"];
  if (webapp !== undefined) {
    const w = (webapp ?? {}) as Record<string, unknown>;
    if (!["MYSELF", "DOMAIN", "ANYONE", "ANYONE_ANONYMOUS"].includes(String(w["access"])))
      findings.push({
        file,
        message: '"webapp.access" is MYSELF, DOMAIN, ANYONE or ANYONE_ANONYMOUS',
      });
    if (!["USER_ACCESSING", "USER_DEPLOYING"].includes(String(w["executeAs"])))
      findings.push({ file, message: '"webapp.executeAs" is USER_ACCESSING or USER_DEPLOYING' });
  }
  return findings;
}

/** A hash of the project's content, independent of file order. */
export function hashScriptProject(files: readonly ScriptFile[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    hash.update(`${file.type}\0${file.name}\0${file.source}\0`);
  return hash.digest("hex");
}

/** How the local files differ from the live ones. */
export interface ScriptDiff {
  added: string[];
  changed: Array<{ file: string; linesAdded: number; linesRemoved: number }>;
  removed: string[];
}

/** Files added, changed (with line counts) and removed, local against live. */
export function diffScriptProject(
  local: readonly ScriptFile[],
  live: readonly ScriptFile[],
): ScriptDiff {
  const key = (file: ScriptFile) =>
    `${file.name}${file.type === "HTML" ? ".html" : file.type === "JSON" ? ".json" : ".gs"}`;
  const liveByKey = new Map(live.map((file) => [key(file), file]));
  const localKeys = new Set(local.map(key));
  const diff: ScriptDiff = { added: [], changed: [], removed: [] };
  for (const file of local) {
    const before = liveByKey.get(key(file));
    if (before === undefined) diff.added.push(key(file));
    else if (before.source !== file.source) {
      const parts = diffLines(before.source, file.source);
      const count = (kind: "added" | "removed") =>
        parts.filter((part) => part[kind]).reduce((sum, part) => sum + (part.count ?? 0), 0);
      diff.changed.push({
        file: key(file),
        linesAdded: count("added"),
        linesRemoved: count("removed"),
      });
    }
  }
  for (const file of live) if (!localKeys.has(key(file))) diff.removed.push(key(file));
  return diff;
}
