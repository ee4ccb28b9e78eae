import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { instanceAccess } from "../../compose/instance-access.js";
import { JadaCliError } from "../../errors.js";
import { localPayload } from "../../install/payload.js";
import type { PackageSource, RemoteInstallResult } from "../../install/remote-install.js";
import { SECRET_VARIABLES } from "../../install/secrets.js";
import { toCliError } from "../../render/errors.js";
import { renderJson } from "../../render/table.js";
import type { CommandContext } from "../context.js";
import { checkInstance, describeReport } from "./health.js";

interface InstallOptions {
  to?: string;
  registry?: string;
  fromTarball?: string[];
  nodeDist: string;
  readyTimeout: string;
  keepVersions: string;
  health: boolean;
  json?: boolean;
}

/** Exit codes of `jada install` and `jada upgrade`. */
export const INSTALL_EXIT = { ready: 0, failed: 1, usage: 2 } as const;

/** Adds `jada install <instance>` and `jada upgrade <instance>`. */
export function registerInstallCommands(program: Command, context: CommandContext): void {
  const shared = (command: Command) =>
    command
      .argument("<instance>", "a Lightsail instance of the config (instances.NAME)")
      .option("--to <version>", "the @jada/daemon version, range or tag (default: latest)")
      .option(
        "--registry <url>",
        "the npm registry (default: instances.NAME.registry, else the host's npm configuration)",
      )
      .option(
        "--from-tarball <files...>",
        "upload `npm pack` tarballs instead (the daemon's, and its @jada libraries' when unpublished)",
      )
      .option(
        "--node-dist <url>",
        "where Node builds come from when the host needs Node 24 (a mirror of nodejs.org/dist)",
        "https://nodejs.org/dist",
      )
      .option("--ready-timeout <seconds>", "how long the service has to become READY", "120")
      .option(
        "--keep-versions <n>",
        "installed versions kept on the host, the running one and the one before included",
        "3",
      )
      .option("--no-health", "skip the jada health check at the end")
      .option("--json", "print the outcome (and the health report) as JSON");
  shared(
    program
      .command("install")
      .summary("install the daemon on an instance over temporary SSH: Node, code, service, config")
      .description(
        "From a workstation, over the same temporary SSH access as `jada health` (the host key " +
          "pinned from the Lightsail API): installs Node 24 if the host has none recent enough, " +
          "the chosen @jada/daemon version into /opt/jada/versions, points /opt/jada/current at " +
          "it, runs `jada service install` there with this config and the secrets of this shell " +
          `(${SECRET_VARIABLES.join(", ")}, sent on stdin, never on a command line), waits for ` +
          "the service's READY, then runs `jada health` as the proof. A second run changes nothing " +
          "and says so; a new version that does not become READY is rolled back.",
      ),
  )
    .addHelpText(
      "after",
      `
Exit codes: 0 installed and READY (or unchanged); 1 not READY (rolled back when a previous
version ran), or the health check is CRITICAL; 2 usage, configuration, credentials or SSH errors.

Examples:
  jada install jada-orchestrator
  jada install jada-orchestrator --to 0.2.0
  jada install jada-orchestrator --from-tarball jada-daemon-0.2.0.tgz jada-orchestrator-0.2.0.tgz`,
    )
    .action(async (instance: string, options: InstallOptions) => {
      context.exit(await runInstall("install", instance, options, context));
    });
  shared(
    program
      .command("upgrade")
      .summary("move an installed daemon to another version; roll back if it does not start")
      .description(
        "Installs the version beside the running one, switches /opt/jada/current, restarts the " +
          "service and waits for READY. A version that does not become READY is rolled back to " +
          "the one that ran, and the command exits 1 with the service's last log lines. The " +
          "host's config and secrets are left as they are (jada install changes those).",
      ),
  )
    .addHelpText(
      "after",
      `
Exit codes: 0 upgraded and READY (or already at that version); 1 rolled back, or not READY;
2 usage, configuration, credentials or SSH errors.

Example:
  jada upgrade jada-orchestrator --to 0.2.1`,
    )
    .action(async (instance: string, options: InstallOptions) => {
      context.exit(await runInstall("upgrade", instance, options, context));
    });
}

async function runInstall(
  mode: "install" | "upgrade",
  instance: string,
  options: InstallOptions,
  context: CommandContext,
): Promise<number> {
  const { io } = context;
  const readyTimeoutSeconds = Number(options.readyTimeout);
  if (!Number.isInteger(readyTimeoutSeconds) || readyTimeoutSeconds < 1)
    throw new JadaCliError(
      "USAGE",
      `--ready-timeout is a whole number of seconds, not "${options.readyTimeout}"`,
    );
  const keepVersions = Number(options.keepVersions);
  if (!Number.isInteger(keepVersions) || keepVersions < 2)
    throw new JadaCliError(
      "USAGE",
      `--keep-versions is 2 or more (the running version and the one a rollback needs), not "${options.keepVersions}"`,
    );
  if (!/^https?:\/\/[^\s'"]+$/.test(options.nodeDist))
    throw new JadaCliError("USAGE", `--node-dist is an http(s) URL, not "${options.nodeDist}"`);
  if (options.fromTarball && options.to !== undefined)
    throw new JadaCliError(
      "USAGE",
      "--to and --from-tarball exclude each other: a tarball has its version",
    );
  const services = await context.services();
  const source = await packageSource(options, io.cwd);
  const progress = (line: string) => {
    if (!options.json) io.stderr.write(`${line}\n`);
  };
  let result: RemoteInstallResult;
  try {
    const { configured, getAccess } = await instanceAccess(services, instance, 2);
    const { createOpenSshShell } = await import("@jada/lightsail-health");
    const { installRemote } = await import("../../install/remote-install.js");
    const { configText, secrets } = await localPayload(services, io.env);
    source.registry ??= configured.registry;
    progress(`${mode === "install" ? "installing on" : "upgrading"} ${instance}`);
    result = await installRemote({
      shell: createOpenSshShell({ getAccess, port: configured.port }),
      source,
      mode,
      configText: mode === "install" ? configText : undefined,
      secrets: mode === "install" ? secrets : undefined,
      user: configured.serviceUser,
      readyTimeoutSeconds,
      nodeDist: options.nodeDist,
      keepVersions,
      progress,
    });
  } catch (error) {
    if ((error as Error).name === "RemoteInstallError")
      throw new JadaCliError("SERVICE", `${instance}: ${(error as Error).message}`, {
        exitCode: INSTALL_EXIT.failed,
      });
    throw toCliError(error, INSTALL_EXIT.usage) ?? error;
  }
  const ready = result.outcome !== "rolled-back";
  let health: import("@jada/lightsail-health").HealthReport | undefined;
  if (ready && options.health) {
    const { UNIT_NAME } = await import("../../install/unit.js");
    health = await checkInstance(instance, { unit: UNIT_NAME }, context).catch((error: unknown) => {
      throw toCliError(error, INSTALL_EXIT.failed) ?? error;
    });
  }
  if (options.json) io.stdout.write(renderJson({ ...result, health }));
  else {
    io.stdout.write(describeOutcome(instance, result));
    if (health) io.stdout.write(`\n${describeReport(health)}`);
  }
  if (!ready || health?.verdict === "CRITICAL") return INSTALL_EXIT.failed;
  return INSTALL_EXIT.ready;
}

function describeOutcome(instance: string, result: RemoteInstallResult): string {
  const status = result.service["StatusText"] ? `: ${result.service["StatusText"]}` : "";
  switch (result.outcome) {
    case "unchanged":
      return `${instance}: @jada/daemon ${result.version} is installed and READY; nothing changed${status}\n`;
    case "rolled-back":
      return [
        `${instance}: @jada/daemon ${result.failedVersion} did not become READY: rolled back to ${result.version}, which is READY again`,
        ...(result.journal?.length
          ? ["the new version's last log lines:", ...result.journal.map((line) => `  ${line}`)]
          : []),
        "",
      ].join("\n");
    default:
      return [
        `${instance}: @jada/daemon ${result.version} is ${result.outcome} and READY${status}`,
        ...result.changes.map((change) => `  ${change}`),
        "",
      ].join("\n");
  }
}

// The registry, or the tarballs read here (their package name and version from package.json).
async function packageSource(options: InstallOptions, cwd: string): Promise<PackageSource> {
  if (!options.fromTarball)
    return { kind: "registry", version: options.to, registry: options.registry };
  const files = [];
  for (const given of options.fromTarball) {
    const path = resolve(cwd, given);
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new JadaCliError(
        "USAGE",
        `cannot read the tarball ${path}: ${error.code === "ENOENT" ? "no such file" : error.code}`,
      );
    });
    const manifest = await packageJsonOf(bytes, path);
    files.push({
      name: basename(path),
      bytes,
      packageName: manifest.name,
      version: manifest.version,
    });
  }
  if (!files.some((file) => file.packageName === "@jada/daemon"))
    throw new JadaCliError(
      "USAGE",
      "--from-tarball: none of the tarballs is @jada/daemon (npm pack apps/jada-daemon makes it)",
    );
  return { kind: "tarballs", files, registry: options.registry };
}

/** The `package/package.json` of an `npm pack` tarball (gzip of a ustar archive). */
export async function packageJsonOf(
  tgz: Uint8Array,
  path: string,
): Promise<{ name: string; version: string }> {
  const { gunzipSync } = await import("node:zlib");
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz);
  } catch {
    throw new JadaCliError("USAGE", `${path} is not an npm pack tarball (not gzip)`);
  }
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = tar
      .subarray(offset, offset + 100)
      .toString("utf8")
      .replace(/\0.*$/s, "");
    if (name === "") break;
    const size = Number.parseInt(tar.subarray(offset + 124, offset + 136).toString("utf8"), 8);
    const body = offset + 512;
    if (name === "package/package.json") {
      const manifest = JSON.parse(tar.subarray(body, body + size).toString("utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (typeof manifest.name === "string" && typeof manifest.version === "string")
        return { name: manifest.name, version: manifest.version };
      break;
    }
    offset = body + Math.ceil((Number.isFinite(size) ? size : 0) / 512) * 512;
  }
  throw new JadaCliError("USAGE", `${path} is not an npm pack tarball (no package/package.json)`);
}
