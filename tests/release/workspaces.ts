// What the release tests share: the repository's publishable workspaces, and running a command
// with only the npm configuration a test gives it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const repo = fileURLToPath(new URL("../../", import.meta.url));

/** A workspace npm would publish. */
export interface Workspace {
  dir: string;
  name: string;
  version: string;
}

/** Every publishable workspace (not private), found the way npm finds them. */
export function publishableWorkspaces(): Workspace[] {
  const found: Workspace[] = [];
  for (const parent of ["packages", "apps"]) {
    for (const entry of readdirSync(join(repo, parent))) {
      const manifest = join(repo, parent, entry, "package.json");
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8"));
      if (!pkg.private)
        found.push({ dir: join(repo, parent, entry), name: pkg.name, version: pkg.version });
    }
  }
  return found;
}

// The environment without the npm_config_* variables that `npm test` exports to its children:
// the commands here must see only the configuration this test gives them.
const baseEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_config_")),
);

/** Runs a command; its stdout, or an error with everything it printed. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...baseEnv, ...options.env },
    encoding: "utf8",
    timeout: 240_000,
  });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${output}`);
  }
  return result.stdout;
}
