// A local port forwarded to a port on the instance's loopback, over the same ephemeral access
// as the health checks (the host key pinned, the key material removed once ssh has read it).
// The daemon's dashboard listens on the host's 127.0.0.1 only; this is how a person reaches it.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect, createServer } from "node:net";
import { HealthError } from "../errors.js";
import type { AccessDetails, Clock } from "../types.js";
import type { OpenSshOptions } from "./openssh.js";
import { sshArguments, sshEnvironment, sshError } from "./openssh.js";
import { endProcessGroup, trackChild, withPrivateDir } from "./private-dir.js";

/** Options of {@link openSshTunnel}. */
export interface SshTunnelOptions extends OpenSshOptions {
  /** The port on the instance's loopback to reach (the daemon's 7878). */
  remotePort: number;
  /** The local port (default: a free one). Always bound on 127.0.0.1. */
  localPort?: number | undefined;
}

/** An open tunnel. */
export interface SshTunnel {
  /** The local port: `http://127.0.0.1:<localPort>` reaches the instance's remote port. */
  localPort: number;
  /** Resolves when ssh exits (the connection dropped, or `close()`), with what it printed. */
  closed: Promise<{ exitCode: number; stderr: string }>;
  /** Ends ssh (and its process group). */
  close(): Promise<void>;
}

// Access is not presented this close to its expiry.
const EXPIRY_MARGIN_MS = 30_000;

/**
 * Forwards `127.0.0.1:localPort` to the instance's `127.0.0.1:remotePort` (`ssh -N -L`), and
 * resolves once the local port accepts connections. A certificate refused is tried once more
 * with fresh access; a host key that Lightsail did not report is refused.
 *
 * @throws {HealthError} `HOST_KEY_MISMATCH`, `SSH_AUTH_FAILED`, `SSH_CONNECT_FAILED`,
 *   `SSH_FAILED` (the forward could not be set up: the local port taken, forwarding refused).
 */
export async function openSshTunnel(options: SshTunnelOptions): Promise<SshTunnel> {
  const clock: Clock = options.clock ?? { now: () => Date.now() };
  const fresh = async () => {
    let access = await options.getAccess();
    if (access.expiresAt.getTime() - EXPIRY_MARGIN_MS <= clock.now())
      access = await options.getAccess();
    return access;
  };
  const localPort = await freePort(options.localPort);
  try {
    return await open(options, await fresh(), localPort);
  } catch (error) {
    if ((error as HealthError).code !== "SSH_AUTH_FAILED") throw error;
    // Certificates live minutes: fetch fresh access once before calling it a refusal.
    return open(options, await fresh(), localPort);
  }
}

async function open(
  options: SshTunnelOptions,
  access: AccessDetails,
  localPort: number,
): Promise<SshTunnel> {
  const port = options.port ?? 22;
  return withPrivateDir(async (dir) => {
    const args = [
      ...(await sshArguments(dir, access, port, options.connectTimeoutSeconds)),
      "-N",
      "-o",
      "ExitOnForwardFailure=yes",
      "-L",
      `127.0.0.1:${localPort}:127.0.0.1:${options.remotePort}`,
      `${access.username}@${access.address}`,
    ];
    const child = spawn(options.sshPath ?? "ssh", args, {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
      env: sshEnvironment(),
    });
    trackChild(child);
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const closed = new Promise<{ exitCode: number; stderr: string }>((resolve, reject) => {
      child.on("error", (error) =>
        reject(new HealthError("SSH_FAILED", `cannot run ssh: ${error.message}`, { cause: error })),
      );
      child.on("close", (code) => resolve({ exitCode: code ?? 255, stderr }));
    });
    closed.catch(() => {});
    // ssh binds the local port once it is connected and authenticated: the port answering is
    // the signal. ssh exiting first is the failure, with its reason.
    const timeoutMs = ((options.connectTimeoutSeconds ?? 10) + 10) * 1000;
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void closed.then(
      () => {
        exited = true;
      },
      () => {
        exited = true;
      },
    );
    while (!exited) {
      if (await accepts(localPort)) {
        // The key material has been read; the private directory goes with this function.
        return {
          localPort,
          closed,
          close: async () => {
            if (!exited) await endProcessGroup(child);
            await closed.catch(() => {});
          },
        };
      }
      if (Date.now() > deadline) {
        await endProcessGroup(child);
        throw new HealthError(
          "SSH_TIMEOUT",
          `the tunnel to ${access.address} was not up within ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const result = await closed;
    if (/Address already in use|cannot listen to port/i.test(result.stderr))
      throw new HealthError(
        "SSH_FAILED",
        `local port ${localPort} is taken (EADDRINUSE): choose another with --local-port`,
      );
    throw sshError(result.stderr, access.address);
  });
}

// Whether something accepts TCP connections on 127.0.0.1:port now.
async function accepts(port: number): Promise<boolean> {
  const socket = connect({ host: "127.0.0.1", port });
  try {
    await Promise.race([
      once(socket, "connect"),
      once(socket, "error").then(([error]) => {
        throw error;
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

// A port free on 127.0.0.1 now: the one asked for (else an error that says so), or the kernel's
// choice. Checked before ssh starts, so that a port already answering is never taken for the
// tunnel's.
async function freePort(wanted = 0): Promise<number> {
  const server = createServer();
  server.listen(wanted, "127.0.0.1");
  try {
    // once() rejects with the server's 'error' (EADDRINUSE, EACCES).
    await once(server, "listening");
  } catch (error) {
    throw new HealthError(
      "SSH_FAILED",
      `local port ${wanted} is taken (${(error as NodeJS.ErrnoException).code}): choose another with --local-port`,
    );
  }
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
