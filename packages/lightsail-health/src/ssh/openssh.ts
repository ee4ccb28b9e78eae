import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HealthError } from "../errors.js";
import { shellQuote } from "../probe/script.js";
import type { AccessDetails, Clock, ExecResult, RemoteShell } from "../types.js";
import { endProcessGroup, trackChild, withPrivateDir } from "./private-dir.js";

/** Options of {@link createOpenSshShell}. */
export interface OpenSshOptions {
  /** Fetches fresh temporary access (GetInstanceAccessDetails). */
  getAccess: () => Promise<AccessDetails>;
  /** SSH port (default 22). */
  port?: number | undefined;
  /** Seconds to wait for the TCP connection (default 10). */
  connectTimeoutSeconds?: number | undefined;
  /** The ssh binary (default `ssh` on PATH). */
  sshPath?: string | undefined;
  clock?: Clock | undefined;
}

// Access is renewed this long before it expires, so a command never starts on a dying certificate.
const EXPIRY_MARGIN_MS = 30_000;

/**
 * A {@link RemoteShell} through the system OpenSSH client, with the ephemeral key and
 * certificate that Lightsail hands out (the `ssh2` package cannot authenticate with an OpenSSH
 * certificate). The host key is pinned from the API's `hostKeys` (a known_hosts written from
 * them, `StrictHostKeyChecking=yes`): no trust on first use. Key material lives in a private
 * temporary directory removed after each command; access is fetched again when it has expired,
 * or once more if the certificate is refused.
 */
export function createOpenSshShell(options: OpenSshOptions): RemoteShell {
  const clock = options.clock ?? { now: () => Date.now() };
  const port = options.port ?? 22;
  let access: AccessDetails | undefined;

  const expired = (details: AccessDetails) =>
    details.expiresAt.getTime() - EXPIRY_MARGIN_MS <= clock.now();
  // Access whose expiry has passed (or is about to) is never presented to the host: it is
  // fetched again first, and access that comes back already expired is an error, not a try.
  const currentAccess = async (forceFresh: boolean): Promise<AccessDetails> => {
    if (forceFresh || access === undefined || expired(access)) {
      access = await options.getAccess();
      if (expired(access)) access = await options.getAccess();
      if (expired(access))
        throw new HealthError(
          "ACCESS_FAILED",
          `Lightsail handed out access to ${access.address} that expires at ${access.expiresAt.toISOString()}, already past: check this machine's clock`,
        );
    }
    return access;
  };

  const runOnce = (
    details: AccessDetails,
    script: string,
    timeoutMs: number,
    input: string | Uint8Array | undefined,
  ): Promise<ExecResult> =>
    withPrivateDir(async (dir) => {
      const args = [
        ...(await sshArguments(dir, details, port, options.connectTimeoutSeconds)),
        `${details.username}@${details.address}`,
        // sshd hands the command to the login shell as one string: quoted once for it.
        input === undefined ? "sh -s" : `sh -c ${shellQuote(script)}`,
      ];
      return await new Promise<ExecResult>((resolve, reject) => {
        // Its own process group, so that a signal or a timeout ends ssh and all it started.
        const child = spawn(options.sshPath ?? "ssh", args, {
          stdio: ["pipe", "pipe", "pipe"],
          detached: true,
          env: sshEnvironment(),
        });
        trackChild(child);
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          void endProcessGroup(child);
        }, timeoutMs);
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", (error) => {
          clearTimeout(timer);
          reject(
            new HealthError("SSH_FAILED", `cannot run ssh: ${error.message}`, { cause: error }),
          );
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          if (timedOut) {
            reject(
              new HealthError(
                "SSH_TIMEOUT",
                `the command on ${details.address} ran past ${Math.round(timeoutMs / 1000)} s and was stopped`,
              ),
            );
            return;
          }
          resolve({ exitCode: code ?? 255, stdout, stderr });
        });
        child.stdin.on("error", () => {});
        child.stdin.end(input ?? script);
      });
    });

  return {
    async run(script, runOptions = {}) {
      const timeoutMs = runOptions.timeoutMs ?? 60_000;
      const input = runOptions.input;
      let result = await runOnce(await currentAccess(false), script, timeoutMs, input);
      if (
        result.exitCode === 255 &&
        /Permission denied|certificate.*(expired|invalid)/i.test(result.stderr)
      ) {
        // Certificates live minutes: fetch fresh access once before calling it a refusal.
        result = await runOnce(await currentAccess(true), script, timeoutMs, input);
      }
      if (result.exitCode === 255) throw sshError(result.stderr, access?.address ?? "the host");
      return result;
    },
  };
}

/**
 * Writes the access (key, certificate, a known_hosts pinned to the API's host keys) into `dir`,
 * and returns the ssh options that use it: no config file, no agent, no trust on first use.
 */
export async function sshArguments(
  dir: string,
  details: AccessDetails,
  port: number,
  connectTimeoutSeconds: number | undefined,
): Promise<string[]> {
  const key = join(dir, "id");
  const certificate = join(dir, "id-cert.pub");
  const knownHosts = join(dir, "known_hosts");
  const hostPattern = port === 22 ? details.address : `[${details.address}]:${port}`;
  await writeFile(
    key,
    details.privateKey.endsWith("\n") ? details.privateKey : `${details.privateKey}\n`,
    { mode: 0o600 },
  );
  await writeFile(certificate, `${details.certificate.trim()}\n`, { mode: 0o600 });
  await writeFile(
    knownHosts,
    details.hostKeys
      .map((hostKey) => `${hostPattern} ${hostKey.algorithm} ${hostKey.publicKey}\n`)
      .join(""),
    { mode: 0o600 },
  );
  return [
    "-F",
    "/dev/null",
    "-i",
    key,
    "-o",
    `CertificateFile=${certificate}`,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    `ConnectTimeout=${connectTimeoutSeconds ?? 10}`,
    "-o",
    "ServerAliveInterval=5",
    "-o",
    "LogLevel=ERROR",
    "-p",
    String(port),
  ];
}

/**
 * The environment ssh runs with: what it needs to find itself and speak the locale, and nothing
 * else. The caller's secrets (an API key exported in the shell that runs `jada install`) stay
 * out of the ssh process, where `ps e` would show them.
 */
export function sshEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR"])
    if (env[name] !== undefined) kept[name] = env[name] as string;
  return kept;
}

/** Classifies ssh's own failures (exit 255) by what it printed. */
export function sshError(stderr: string, address: string): HealthError {
  // One line, whatever ssh printed (its lines may end in \r\n).
  const text = stderr
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-2)
    .join("; ");
  if (
    /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No .* host key is known/i.test(
      stderr,
    )
  ) {
    // ssh's own words here span lines of warnings; the reason is one.
    return new HealthError(
      "HOST_KEY_MISMATCH",
      `${address} presented a host key that Lightsail did not report: refused (possible interception, or a rebuilt instance)`,
    );
  }
  if (/Permission denied/i.test(stderr))
    return new HealthError(
      "SSH_AUTH_FAILED",
      `${address} refused the temporary certificate: ${text}`,
    );
  if (
    /Connection refused|Connection timed out|No route to host|Could not resolve|Network is unreachable/i.test(
      stderr,
    )
  ) {
    return new HealthError("SSH_CONNECT_FAILED", `cannot connect to ${address}: ${text}`);
  }
  return new HealthError("SSH_FAILED", `ssh to ${address} failed: ${text || "exit 255"}`);
}
