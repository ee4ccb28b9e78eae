import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { HostKey } from "../types.js";
import { generateKey } from "./ssh-keys.js";

/** A real OpenSSH server on 127.0.0.1 for tests, trusting a test CA, as Lightsail hosts do. */
export interface TestSshd {
  address: "127.0.0.1";
  port: number;
  username: string;
  hostKeys: HostKey[];
  /** Sign temporary user certificates with this (the server trusts its public key). */
  caKeyPath: string;
  /** What sshd has logged so far (at `logLevel`). */
  log(): string;
  stop(): Promise<void>;
}

export const SSHD_PATH = "/usr/sbin/sshd";

/** Whether a test sshd can run here: the binary, and root (sshd must switch to the user). */
export function canRunSshd(): { ok: boolean; why?: string } {
  if (!existsSync(SSHD_PATH))
    return { ok: false, why: `${SSHD_PATH} is missing (apt-get install openssh-server)` };
  if (process.getuid?.() !== 0) return { ok: false, why: "sshd needs root to run here" };
  return { ok: true };
}

/**
 * Starts sshd on 127.0.0.1 on a free port with a fresh host key, trusting certificates signed by
 * a fresh CA for the current user, and a `PATH` that starts with `pathPrefix` for the sessions
 * (where tests put stand-ins for systemctl and journalctl).
 */
export async function startTestSshd(
  options: {
    pathPrefix?: string;
    env?: Record<string, string>;
    /** sshd's LogLevel (default ERROR; INFO shows refused certificates). */
    logLevel?: "ERROR" | "INFO" | "VERBOSE";
  } = {},
): Promise<TestSshd> {
  const dir = await mkdtemp(join(tmpdir(), "jada-sshd-"));
  const host = await generateKey(dir, "host");
  const ca = await generateKey(dir, "ca");
  const port = await freePort();
  const username = userInfo().username;
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 }).catch(() => {});
  const environment = {
    PATH: `${options.pathPrefix ? `${options.pathPrefix}:` : ""}/usr/local/bin:/usr/bin:/bin`,
    ...options.env,
  };
  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${host.path}`,
    `TrustedUserCAKeys ${ca.path}.pub`,
    "AuthorizedKeysFile none",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    "UsePAM no",
    "StrictModes no",
    `PidFile ${join(dir, "sshd.pid")}`,
    `SetEnv ${Object.entries(environment)
      .map(([key, value]) => `${key}=${value}`)
      .join(" ")}`,
    `LogLevel ${options.logLevel ?? "ERROR"}`,
    "",
  ].join("\n");
  await writeFile(join(dir, "sshd_config"), config);
  let output = "";
  const child: ChildProcess = spawn(SSHD_PATH, ["-D", "-e", "-f", join(dir, "sshd_config")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`sshd did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const [algorithm, publicKey] = host.publicKey.split(" ");
  return {
    address: "127.0.0.1",
    port,
    username,
    hostKeys: [{ algorithm: algorithm as string, publicKey: publicKey as string }],
    caKeyPath: ca.path,
    log: () => output,
    stop,
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}
