import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

/** A running moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:PORT`: give it to the SDK clients as `endpoint`. */
  endpoint: string;
  stop(): Promise<void>;
}

/** Whether `moto_server` (moto's standalone S3/CloudFront emulator) is on PATH. */
export function hasMotoServer(): boolean {
  const found = spawnSync("moto_server", ["--help"], { stdio: "ignore" });
  return found.error === undefined && found.status === 0;
}

/** A free TCP port on 127.0.0.1 (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/**
 * Starts `moto_server` on 127.0.0.1 on a free port and waits until it answers: a faithful S3
 * and CloudFront emulator for tests with the real AWS SDK clients. Known differences from AWS:
 * invalidation status `COMPLETED` (AWS: `Completed`); distributions' ETags never change and
 * `If-Match` is not enforced.
 *
 * @example
 * ```ts
 * const moto = await startMotoServer();
 * const s3 = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: "us-east-1",
 *   credentials: { accessKeyId: "test", secretAccessKey: "test" } });
 * ```
 */
export async function startMotoServer(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (true) {
    if (child.exitCode !== null)
      throw new Error(`moto_server exited with ${child.exitCode}:\n${output}`);
    const up = await fetch(`${endpoint}/moto-api/`).then(
      (response) => response.status < 500,
      () => false,
    );
    if (up) return { endpoint, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
