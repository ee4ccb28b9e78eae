// A real npm registry (Verdaccio) on 127.0.0.1, in a temporary directory, for the release test.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@jada/static-deploy/testing";

const verdaccioBin = fileURLToPath(
  new URL("../../node_modules/verdaccio/bin/verdaccio", import.meta.url),
);

/** A running registry: its URL, an auth token for publishing, and how to stop it. */
export interface LocalRegistry {
  url: string;
  token: string;
  pid: number;
  /** A userconfig (.npmrc) that points npm at this registry only, with the token. */
  npmrc: string;
  /** Everything the registry printed, for failure messages. */
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts Verdaccio with its own config and storage. `@jada/*` packages are served only from what
 * is published to it; everything else is proxied from `upstream` (the npm registry), so a
 * consumer's npm talks to this registry and nothing else.
 */
export async function startRegistry(upstream: string): Promise<LocalRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "jada-registry-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, "config.yaml");
  await writeFile(
    config,
    [
      `storage: ${join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "    max_users: 10",
      "uplinks:",
      "  npmjs:",
      `    url: ${upstream}`,
      "    timeout: 60s",
      "packages:",
      "  '@jada/*':",
      "    access: $all",
      "    publish: $authenticated",
      "  '**':",
      "    access: $all",
      "    proxy: npmjs",
      "web:",
      "  enable: false",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );

  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [verdaccioBin, "--config", config, "--listen", `127.0.0.1:${port}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("verdaccio did not start");

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, "SIGTERM");
      await once(child, "exit");
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + 30_000;
    while (true) {
      if (child.exitCode !== null)
        throw new Error(`verdaccio exited with ${child.exitCode}:\n${output}`);
      const ready = await fetch(`${url}-/ping`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline)
        throw new Error(`verdaccio did not answer on ${url} within 30 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Create a user: the registry answers with a token npm can publish with.
    const name = "jada-release-test";
    const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, password: `pw-${Math.random().toString(36).slice(2)}` }),
    });
    if (!response.ok)
      throw new Error(
        `could not create a registry user: ${response.status} ${await response.text()}`,
      );
    const { token } = (await response.json()) as { token: string };

    const npmrc = join(dir, "npmrc");
    const host = url.replace(/^http:/, "");
    await writeFile(
      npmrc,
      `registry=${url}\n${host}:_authToken=${token}\nfund=false\naudit=false\nupdate-notifier=false\n`,
    );
    return { url, token, pid, npmrc, log: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
