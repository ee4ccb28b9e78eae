// Vitest global setup: a real moto_server (S3 and CloudFront emulator) on 127.0.0.1, on a free
// port, for the deploy tests. Missing moto fails the run when CI=true, and skips those tests
// locally with a message that names it.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string | undefined;
  }
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

let moto: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  const found = spawnSync("moto_server", ["--help"], { stdio: "ignore" });
  if (found.error !== undefined || found.status !== 0) {
    const message = "moto_server (the S3/CloudFront emulator) is not on PATH";
    if (process.env["CI"] === "true") throw new Error(`${message}: the deploy tests need it in CI`);
    console.warn(`\n[static-deploy] ${message}: skipping the deploy tests against moto\n`);
    project.provide("motoEndpoint", undefined);
    return;
  }
  const port = await freePort();
  let output = "";
  moto = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  moto.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  moto.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (true) {
    if (moto.exitCode !== null)
      throw new Error(`moto_server exited with ${moto.exitCode}:\n${output}`);
    const up = await fetch(`${endpoint}/moto-api/`).then(
      (response) => response.status < 500,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline)
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  project.provide("motoEndpoint", endpoint);
}

export async function teardown(): Promise<void> {
  if (moto !== undefined && moto.exitCode === null) {
    moto.kill("SIGTERM");
    await once(moto, "exit");
  }
}
