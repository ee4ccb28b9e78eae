import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { type CloudFrontClient, CreateDistributionCommand } from "@aws-sdk/client-cloudfront";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";

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

/**
 * For a test runner's global setup: starts moto, or, when `moto_server` is not installed, fails
 * under CI (`ci: true`) and otherwise warns once and returns no endpoint, so the tests that need
 * it skip with a message that names it.
 */
export async function startMotoForTests(options: { ci: boolean; label: string }): Promise<{
  endpoint: string | undefined;
  stop: () => Promise<void>;
}> {
  if (!hasMotoServer()) {
    const message = "moto_server (the S3/CloudFront emulator) is not on PATH";
    if (options.ci) throw new Error(`${message}: the deploy tests need it in CI`);
    console.warn(`\n[${options.label}] ${message}: skipping the tests against moto\n`);
    return { endpoint: undefined, stop: async () => {} };
  }
  const moto = await startMotoServer();
  return { endpoint: moto.endpoint, stop: () => moto.stop() };
}

/** Creates a bucket with a unique name through the real S3 client; returns the name. */
export async function createTestBucket(s3: S3Client): Promise<string> {
  const bucket = `site-${randomBytes(6).toString("hex")}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Creates a CloudFront distribution in front of a bucket through the real client; returns its id. */
export async function createTestDistribution(
  cloudFront: CloudFrontClient,
  bucket: string,
  originPath = "",
): Promise<string> {
  const result = await cloudFront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: randomBytes(8).toString("hex"),
        Comment: "jada test",
        Enabled: true,
        DefaultCacheBehavior: {
          TargetOriginId: "site",
          ViewerProtocolPolicy: "redirect-to-https",
          ForwardedValues: { QueryString: false, Cookies: { Forward: "none" } },
          MinTTL: 0,
          TrustedSigners: { Enabled: false, Quantity: 0 },
        },
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: "site",
              DomainName: `${bucket}.s3.amazonaws.com`,
              OriginPath: originPath,
              S3OriginConfig: { OriginAccessIdentity: "" },
            },
          ],
        },
      },
    }),
  );
  const id = result.Distribution?.Id;
  if (id === undefined) throw new Error("no distribution was created");
  return id;
}
