import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Generates an ed25519 key pair with ssh-keygen; returns the private key path and the public key line. */
export async function generateKey(
  dir: string,
  name: string,
): Promise<{ path: string; publicKey: string }> {
  const path = join(dir, name);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `jada-test-${name}`, "-f", path]);
  return { path, publicKey: (await readFile(`${path}.pub`, "utf8")).trim() };
}

/**
 * Signs a user key with a CA (`ssh-keygen -s`), as Lightsail does, for `principal`.
 * @param validity ssh-keygen's `-V` (`-1m:+5m`; a window in the past makes an expired certificate).
 */
export async function signUserKey(
  caPath: string,
  keyPath: string,
  principal: string,
  validity: string,
): Promise<string> {
  await run("ssh-keygen", [
    "-q",
    "-s",
    caPath,
    "-I",
    "jada-test",
    "-n",
    principal,
    "-V",
    validity,
    `${keyPath}.pub`,
  ]);
  return (await readFile(`${keyPath}-cert.pub`, "utf8")).trim();
}
