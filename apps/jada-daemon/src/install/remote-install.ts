// `jada install` and `jada upgrade`: the daemon put on its host over the ephemeral SSH access,
// one step a script (see remote-scripts.ts), converging: a version already installed is not
// installed again, an unchanged config is not rewritten, a running service is not restarted for
// nothing. A new version that does not become READY is rolled back to the one that ran.
import { createHash } from "node:crypto";
import type { ExecResult, RemoteShell } from "@jada/lightsail-health";
import {
  cleanUploadsScript,
  DAEMON_PACKAGE,
  installNodeScript,
  installVersionScript,
  lastLines,
  MINIMUM_NODE,
  parseFacts,
  probeScript,
  pruneScript,
  resolveVersionScript,
  restartScript,
  serviceInstallScript,
  switchScript,
  uploadScript,
  waitReadyScript,
} from "./remote-scripts.js";
import type { SecretVariable } from "./secrets.js";
import { UNIT_NAME } from "./unit.js";

/** Where the daemon's code comes from. */
export type PackageSource =
  | {
      kind: "registry";
      /** A version, range or tag of `@jada/daemon` (default `latest`). */
      version?: string | undefined;
      /** The registry (default: the host's npm configuration). */
      registry?: string | undefined;
    }
  | {
      kind: "tarballs";
      /** `npm pack` tarballs: the daemon's and any of its `@jada/*` libraries. */
      files: Array<{ name: string; bytes: Uint8Array; packageName: string; version: string }>;
      /** Where the other dependencies come from (default: the host's npm configuration). */
      registry?: string | undefined;
    };

/** What to do on the host. */
export interface RemoteInstallOptions {
  shell: RemoteShell;
  source: PackageSource;
  /**
   * `install` converges everything (Node, code, unit, config, secrets); `upgrade` changes only
   * the code and needs an installed daemon.
   */
  mode: "install" | "upgrade";
  /** The config file's text and the secrets to install (`install` only). */
  configText?: string | undefined;
  secrets?: Partial<Record<SecretVariable, string>> | undefined;
  /** The service user (default `jada`). */
  user?: string | undefined;
  /** How long the service has to become READY (default 120 s). */
  readyTimeoutSeconds?: number | undefined;
  /** Installed versions to keep, the running one and the one before included (default 3). */
  keepVersions?: number | undefined;
  /** Where Node builds come from (default https://nodejs.org/dist). */
  nodeDist?: string | undefined;
  /** Progress, one line a step. */
  progress?: ((line: string) => void) | undefined;
}

/** How it went. */
export interface RemoteInstallResult {
  /** The version the host runs now (after a rollback, the previous one). */
  version: string;
  /** The version it ran before, if any. */
  previous: string | undefined;
  /** The version asked for, when it is not the one running (rolled back). */
  failedVersion?: string | undefined;
  outcome: "installed" | "upgraded" | "unchanged" | "rolled-back";
  /** What changed, in words ("installed Node 24", "wrote /etc/jada/jada.env", …). */
  changes: string[];
  /** systemd's last word on the service (`ActiveState`, `SubState`, `StatusText`, …). */
  service: Record<string, string>;
  /** When the new version failed: the journal's last lines. */
  journal?: string[] | undefined;
}

/** A step on the host that failed: which, and what the host said. */
export class RemoteInstallError extends Error {
  override readonly name = "RemoteInstallError";
  readonly step: string;
  constructor(step: string, message: string) {
    super(message);
    this.step = step;
  }
}

/** Installs or upgrades the daemon on the host behind `shell`. */
export async function installRemote(options: RemoteInstallOptions): Promise<RemoteInstallResult> {
  const { shell } = options;
  const say = options.progress ?? (() => {});
  const user = options.user ?? "jada";
  const run = async (step: string, script: string, input?: string | Uint8Array) => {
    const result = await shell.run(script, { timeoutMs: 600_000, input });
    if (result.exitCode !== 0) throw new RemoteInstallError(step, failure(step, result));
    return result.stdout;
  };

  const facts = parseFacts(await run("probe", probeScript()));
  if (facts["sudo"] === "no")
    throw new RemoteInstallError(
      "probe",
      `the SSH user (uid ${facts["uid"]}) is not root and cannot use sudo without a password`,
    );
  const previous = facts["current"] || undefined;
  if (options.mode === "upgrade" && previous === undefined)
    throw new RemoteInstallError(
      "probe",
      "jada is not installed on this host: run jada install first",
    );
  const changes: string[] = [];

  if (!nodeIsRecent(facts["nodeVersion"])) {
    if (options.mode === "upgrade")
      throw new RemoteInstallError(
        "node",
        `the host's Node (${facts["nodeVersion"] || "none"}) is too old: run jada install to get Node 24`,
      );
    say(`installing Node 24 (the host has ${facts["nodeVersion"] || "none"})`);
    const version = await run(
      "node",
      installNodeScript(options.nodeDist ?? "https://nodejs.org/dist"),
    );
    changes.push(`installed Node ${version.trim()}`);
  }

  // What the probe found in /opt/jada/versions: an installed version is not uploaded again.
  const installedVersions = new Set((facts["versions"] ?? "").split(" ").filter(Boolean));
  const { dir, specs } = await resolvePackage(options.source, installedVersions, run, say);
  say(`${DAEMON_PACKAGE} ${dir}: installing`);
  const installed = (
    await run("package", installVersionScript(dir, specs, options.source.registry))
  ).trim();
  if (options.source.kind === "tarballs" && specs.length > 0)
    await run("package", cleanUploadsScript());
  if (installed === "installed") changes.push(`installed ${DAEMON_PACKAGE} ${dir}`);

  const switched = previous !== dir;
  if (switched) {
    await run("switch", switchScript(dir));
    changes.push(previous ? `switched from ${previous} to ${dir}` : `switched to ${dir}`);
  }
  let restarted = false;
  try {
    if (options.mode === "install") {
      say("writing the unit, the config and the secrets");
      const payload = JSON.stringify({
        config: options.configText ?? "{}\n",
        secrets: options.secrets ?? {},
      });
      const written = JSON.parse(await run("service", serviceInstallScript(user), payload)) as {
        changed: string[];
        userCreated: boolean;
      };
      for (const path of written.changed) changes.push(`wrote ${path}`);
      if (written.userCreated) changes.push(`created the ${user} user`);
      restarted = written.changed.length > 0;
    }
    if (switched && !restarted) {
      say(`restarting ${UNIT_NAME}`);
      await run("restart", restartScript(UNIT_NAME));
    }
    say(`waiting for ${UNIT_NAME} to be READY`);
    const ready = await waitReady(shell, options.readyTimeoutSeconds ?? 120);
    if (ready.state === "ready") {
      const outcome =
        changes.length === 0 ? "unchanged" : previous === undefined ? "installed" : "upgraded";
      // Room on the disk: versions beyond the newest few go, never the one a rollback needs.
      const removed = (await run("prune", pruneScript(options.keepVersions ?? 3, dir, previous)))
        .split("\n")
        .filter(Boolean);
      if (removed.length > 0) changes.push(`removed old versions ${removed.join(", ")}`);
      return { version: dir, previous, outcome, changes, service: ready.service };
    }
    if (previous === undefined || !switched)
      throw new RemoteInstallError(
        "ready",
        `${UNIT_NAME} did not become READY (${describeState(ready)})${ready.journal.length ? `; its journal:\n  ${ready.journal.join("\n  ")}` : ""}`,
      );
    say(`${dir} did not become READY (${describeState(ready)}): rolling back to ${previous}`);
    await run("rollback", switchScript(previous));
    await run("rollback", restartScript(UNIT_NAME));
    const back = await waitReady(shell, options.readyTimeoutSeconds ?? 120);
    if (back.state !== "ready")
      throw new RemoteInstallError(
        "rollback",
        `${dir} failed, and ${previous} did not become READY again either (${describeState(back)})`,
      );
    return {
      version: previous,
      previous,
      failedVersion: dir,
      outcome: "rolled-back",
      changes: [...changes, `rolled back to ${previous}`],
      service: back.service,
      journal: ready.journal,
    };
  } catch (error) {
    // A step of the new version failed before it could even be started: the old one goes back.
    if (
      error instanceof RemoteInstallError &&
      error.step === "service" &&
      switched &&
      previous !== undefined
    ) {
      await run("rollback", switchScript(previous));
      throw new RemoteInstallError(
        "service",
        `${error.message}; ${previous} is current again (the service was not restarted)`,
      );
    }
    throw error;
  }
}

interface ReadyState {
  state: "ready" | "failed" | "timeout";
  service: Record<string, string>;
  journal: string[];
}

async function waitReady(shell: RemoteShell, timeoutSeconds: number): Promise<ReadyState> {
  const result = await shell.run(waitReadyScript(UNIT_NAME, timeoutSeconds), {
    timeoutMs: (timeoutSeconds + 60) * 1000,
  });
  if (result.exitCode !== 0) throw new RemoteInstallError("ready", failure("ready", result));
  const [head = "", journal = ""] = result.stdout.split("@@journal\n");
  const { state, ...service } = parseFacts(head);
  return {
    state: state === "ready" || state === "failed" ? state : "timeout",
    service,
    journal: journal.split("\n").filter(Boolean),
  };
}

function describeState(ready: ReadyState): string {
  if (ready.state === "timeout") return "still not READY when the wait ended";
  const { ActiveState, SubState, Result } = ready.service;
  return `${ActiveState} (${SubState})${Result && Result !== "success" ? `, ${Result}` : ""}`;
}

// Which directory the version gets, and what npm installs into it.
async function resolvePackage(
  source: PackageSource,
  installed: ReadonlySet<string>,
  run: (step: string, script: string, input?: string | Uint8Array) => Promise<string>,
  say: (line: string) => void,
): Promise<{ dir: string; specs: string[] }> {
  if (source.kind === "registry") {
    const spec = source.version ?? "latest";
    const printed = await run("version", resolveVersionScript(spec, source.registry));
    const found: unknown = JSON.parse(printed.trim() || "null");
    const versions = (Array.isArray(found) ? found : [found]).filter(
      (value): value is string => typeof value === "string",
    );
    const version = versions.at(-1);
    if (version === undefined)
      throw new RemoteInstallError("version", `no ${DAEMON_PACKAGE} version matches "${spec}"`);
    return { dir: version, specs: [`${DAEMON_PACKAGE}@${version}`] };
  }
  const daemon = source.files.find((file) => file.packageName === DAEMON_PACKAGE);
  if (daemon === undefined)
    throw new RemoteInstallError("package", `no ${DAEMON_PACKAGE} tarball among the files given`);
  // The same tarballs make the same directory (a second install changes nothing); a rebuilt
  // tarball of the same version gets its own.
  const hash = createHash("sha256");
  for (const file of [...source.files].sort((a, b) => (a.name < b.name ? -1 : 1)))
    hash.update(file.name).update(file.bytes);
  const dir = `${daemon.version}-${hash.digest("hex").slice(0, 12)}`;
  const specs: string[] = [];
  if (installed.has(dir)) return { dir, specs };
  for (const file of source.files) {
    say(`uploading ${file.name} (${Math.ceil(file.bytes.length / 1024)} KiB)`);
    specs.push((await run("upload", uploadScript(file.name), file.bytes)).trim());
  }
  return { dir, specs };
}

/** Whether a Node version is one the daemon runs on. */
export function nodeIsRecent(version: string | undefined): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version ?? "");
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
}

function failure(step: string, result: ExecResult): string {
  const said = lastLines(result, 6);
  return `the ${step} step failed on the host (exit ${result.exitCode}): ${said || "no output"}`;
}
