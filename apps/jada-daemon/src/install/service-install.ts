// `jada service install|status|uninstall` on the host, as root: the unit, the `jada` system user,
// the config in /etc/jada, the secrets in a root-only environment file, then systemd. Every file
// is written atomically and only when its content changes, so a second install changes nothing
// and says so. `root` (default "/") lets tests and image builds write under another directory.
import { spawnSync } from "node:child_process";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join } from "node:path";
import { SECRET_VARIABLES, type SecretVariable } from "./secrets.js";
import { renderUnit, UNIT_NAME, type UnitOptions } from "./unit.js";

export { SECRET_VARIABLES, type SecretVariable };

/** What `service install` does. */
export interface InstallOptions extends UnitOptions {
  /** Where the system is (default "/"). */
  root?: string | undefined;
  /** The config file's text to install in /etc/jada/jada.config.json. */
  configText: string;
  /**
   * The secrets to put in /etc/jada/jada.env (mode 0600, root's). Those not given keep the value
   * the file already holds: an install from a shell without the key does not erase it.
   */
  secrets: Partial<Record<SecretVariable, string>>;
  /** Runs a command (systemctl, useradd, id); returns its exit code and output. */
  run?: ((command: string, args: string[]) => { code: number; output: string }) | undefined;
}

/** What an install changed. */
export interface InstallResult {
  changed: string[];
  /** The secrets the env file holds now (names only). */
  secrets: SecretVariable[];
  userCreated: boolean;
  unit: string;
}

/** Where a failed step of the install stopped: the command and what it said. */
export class ServiceInstallError extends Error {
  override readonly name = "ServiceInstallError";
}

/** Runs commands with this environment (its PATH finds systemctl, useradd, id). */
export function commandRunner(
  env: Readonly<Record<string, string | undefined>>,
): NonNullable<InstallOptions["run"]> {
  return (command, args) => {
    const result = spawnSync(command, args, { encoding: "utf8", env: { ...env } });
    if (result.error) return { code: 127, output: result.error.message };
    return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}`.trim() };
  };
}

const defaultRun = commandRunner(process.env);

/** Installs (or updates) the service; starts it, or restarts it when something changed. */
export async function installService(options: InstallOptions): Promise<InstallResult> {
  const root = options.root ?? "/";
  const run = options.run ?? defaultRun;
  const user = options.user ?? "jada";
  const must = (command: string, args: string[]) => {
    const result = run(command, args);
    if (result.code !== 0)
      throw new ServiceInstallError(
        `${command} ${args.join(" ")} failed (${result.code}): ${result.output}`,
      );
    return result.output;
  };
  const unit = renderUnit({ ...options, user });
  const envPath = join(root, "etc/jada/jada.env");
  const secrets = {
    ...parseEnvFile(await readFile(envPath, "utf8").catch(() => "")),
    ...options.secrets,
  };
  const held = SECRET_VARIABLES.filter((name) => secrets[name]);
  const envText = `${held.map((name) => `${name}=${quoteEnv(secrets[name] as string)}`).join("\n")}\n`;
  const changed: string[] = [];
  const files: Array<[string, string, number]> = [
    [join(root, "etc/systemd/system", UNIT_NAME), unit, 0o644],
    [join(root, "etc/jada/jada.config.json"), hostConfigText(options.configText), 0o644],
    [envPath, envText, 0o600],
  ];
  for (const [path, text, mode] of files)
    if (await writeIfChanged(path, text, mode)) changed.push(path);
  let userCreated = false;
  if (run("id", ["-u", user]).code !== 0) {
    must("useradd", [
      "--system",
      "--home-dir",
      "/var/lib/jada",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      user,
    ]);
    userCreated = true;
  }
  if (changed.length > 0) must("systemctl", ["daemon-reload"]);
  must("systemctl", ["enable", UNIT_NAME]);
  // A changed unit, config or secret takes effect by a restart; an unchanged install only makes
  // sure the service runs.
  must("systemctl", [changed.length > 0 ? "restart" : "start", UNIT_NAME]);
  return { changed, secrets: held, userCreated, unit: UNIT_NAME };
}

/** Stops and removes the service; the data (/var/lib/jada) and /etc/jada stay unless `purge`. */
export async function uninstallService(options: {
  root?: string | undefined;
  purge?: boolean | undefined;
  run?: InstallOptions["run"];
}): Promise<string[]> {
  const root = options.root ?? "/";
  const run = options.run ?? defaultRun;
  run("systemctl", ["disable", "--now", UNIT_NAME]);
  const removed = [join(root, "etc/systemd/system", UNIT_NAME)];
  if (options.purge) removed.push(join(root, "etc/jada"), join(root, "var/lib/jada"));
  for (const path of removed) await rm(path, { recursive: true, force: true });
  run("systemctl", ["daemon-reload"]);
  return removed;
}

/** The service's state, as systemd says it. */
export interface ServiceStatus {
  activeState: string;
  subState: string;
  mainPid: number;
  restarts: number;
  since: string;
  /** The daemon's own STATUS= line (quota, running session). */
  statusText: string;
}

/** Asks systemd how the service is. */
export function serviceStatus(run: InstallOptions["run"] = defaultRun): ServiceStatus {
  const result = run("systemctl", [
    "show",
    UNIT_NAME,
    "-p",
    "ActiveState,SubState,MainPID,NRestarts,ActiveEnterTimestamp,StatusText",
  ]);
  if (result.code !== 0) throw new ServiceInstallError(`systemctl show failed: ${result.output}`);
  const fields = Object.fromEntries(
    result.output.split("\n").map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at), line.slice(at + 1)];
    }),
  );
  return {
    activeState: fields["ActiveState"] ?? "unknown",
    subState: fields["SubState"] ?? "unknown",
    mainPid: Number(fields["MainPID"] ?? 0),
    restarts: Number(fields["NRestarts"] ?? 0),
    since: fields["ActiveEnterTimestamp"] ?? "",
    statusText: fields["StatusText"] ?? "",
  };
}

/**
 * The config as the host keeps it: the token store moved to the state directory, the one place
 * the sandboxed service may write (a store beside the config, in /etc, could not be refreshed).
 * An absolute store path is the owner's choice and stays.
 */
export function hostConfigText(configText: string, stateDir = "/var/lib/jada"): string {
  let config: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(configText.replace(/^\uFEFF/, ""));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
    config = parsed as Record<string, unknown>;
  } catch {
    throw new ServiceInstallError("the config to install is not a JSON object");
  }
  const google = (config["google"] ?? {}) as Record<string, unknown>;
  const store = typeof google["store"] === "string" ? google["store"] : "google-tokens.json";
  if (isAbsolute(store)) return configText;
  return `${JSON.stringify({ ...config, google: { ...google, store: join(stateDir, basename(store)) } }, null, 2)}\n`;
}

// The env file as this module writes it: NAME="value" lines, \ and " escaped.
function parseEnvFile(text: string): Partial<Record<SecretVariable, string>> {
  const found: Partial<Record<SecretVariable, string>> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z_]+)="((?:[^"\\]|\\.)*)"$/.exec(line);
    if (match && (SECRET_VARIABLES as readonly string[]).includes(match[1] as string))
      found[match[1] as SecretVariable] = (match[2] as string).replace(/\\(.)/g, "$1");
  }
  return found;
}

// systemd's EnvironmentFile: a value in double quotes with \ and " escaped.
function quoteEnv(value: string): string {
  if (/[\n\r]/.test(value)) throw new ServiceInstallError("a secret cannot hold a line break");
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// Writes through a temporary file and a rename (never half a file), with its mode set before
// the content lands; false when the file already held this text.
async function writeIfChanged(path: string, text: string, mode: number): Promise<boolean> {
  const current = await readFile(path, "utf8").catch(() => undefined);
  if (current === text) {
    await chmod(path, mode);
    return false;
  }
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, "", { mode });
  await chmod(temporary, mode);
  await writeFile(temporary, text);
  await rename(temporary, path);
  return true;
}
