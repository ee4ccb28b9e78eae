// The CloudFront adapter and the invalidation logic, with the real SDK client against the
// loopback CloudFront fake (which, unlike moto, enforces If-Match and says "Completed").
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCloudFrontCdn, createS3ObjectStore } from "../src/adapters/aws.js";
import { deploySite } from "../src/deploy/deploy.js";
import { invalidate } from "../src/deploy/invalidation.js";
import { type CloudFrontFake, startCloudFrontFake } from "../src/testing/cloudfront-fake.js";
import { fakeCloudFrontClient, motoEndpoint, newBucket, s3Client } from "./aws.js";
import { tempDir } from "./helpers.js";

const fakes: CloudFrontFake[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function fakeCdn(distributions: Record<string, string>, completeAfterPolls?: number) {
  const fake = await startCloudFrontFake({
    distributions,
    ...(completeAfterPolls ? { completeAfterPolls } : {}),
  });
  fakes.push(fake);
  return { fake, cdn: createCloudFrontCdn(fakeCloudFrontClient(fake.endpoint)) };
}

describe("CloudFront origin switch", () => {
  it("switches the origin path with If-Match", async () => {
    const { fake, cdn } = await fakeCdn({ E1: "/releases/a" });
    const state = await cdn.getOriginPath("E1");
    expect(state.originPath).toBe("/releases/a");
    const next = await cdn.setOriginPath("E1", "/releases/b", state.version);
    expect(fake.originPathOf("E1")).toBe("/releases/b");
    expect(next.version).not.toBe(state.version);
  });

  it("refuses when the distribution changed since it was read", async () => {
    const { fake, cdn } = await fakeCdn({ E1: "/releases/a" });
    const state = await cdn.getOriginPath("E1");
    fake.changeBehindYourBack("E1");
    await expect(cdn.setOriginPath("E1", "/releases/b", state.version)).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(fake.originPathOf("E1")).toBe("/releases/a");
  });

  it("turns CloudFront's 412 PreconditionFailed into CONFLICT when a writer races the update", async () => {
    const { fake, cdn } = await fakeCdn({ E1: "/releases/a" });
    const state = await cdn.getOriginPath("E1");
    fake.raceNextRead("E1");
    await expect(cdn.setOriginPath("E1", "/releases/b", state.version)).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect(fake.preconditionFailures).toBe(1);
    expect(fake.originPathOf("E1")).toBe("/releases/a");
  });
});

describe("invalidate", () => {
  const noSleep = async (_ms: number) => {};

  it("waits until CloudFront says Completed", async () => {
    const { fake, cdn } = await fakeCdn({ E1: "" }, 3);
    const seen: string[] = [];
    const result = await invalidate({
      cdn,
      distributionId: "E1",
      paths: ["/index.html"],
      callerReference: "r1",
      sleep: noSleep,
      onWait: (s) => seen.push(s.status),
    });
    expect(result).toMatchObject({ status: "Completed", completed: true });
    expect(seen).toEqual(["InProgress", "InProgress", "InProgress"]);
    expect(fake.invalidations).toEqual([
      { id: result.id, distributionId: "E1", paths: ["/index.html"] },
    ]);
  });

  it("retries TooManyInvalidationsInProgress with backoff", async () => {
    const { fake, cdn } = await fakeCdn({ E1: "" });
    fake.refuseInvalidations(3);
    const delays: number[] = [];
    const result = await invalidate({
      cdn,
      distributionId: "E1",
      paths: ["/*"],
      callerReference: "r2",
      wait: false,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect(result.status).toBe("InProgress");
    expect(delays).toEqual([5000, 10000, 20000]);
  });

  it("gives up after the retries, saying so", async () => {
    const { fake, cdn } = await fakeCdn({ E1: "" });
    fake.refuseInvalidations(10);
    await expect(
      invalidate({
        cdn,
        distributionId: "E1",
        paths: ["/*"],
        callerReference: "r3",
        maxRetries: 2,
        sleep: noSleep,
      }),
    ).rejects.toMatchObject({ code: "TOO_MANY_INVALIDATIONS" });
  });

  it("stops waiting at the deadline with the command to check it later", async () => {
    const { cdn } = await fakeCdn({ E1: "" }, 1000);
    let clock = 0;
    await expect(
      invalidate({
        cdn,
        distributionId: "E1",
        paths: ["/*"],
        callerReference: "r4",
        timeoutMs: 60_000,
        pollMs: 5_000,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      }),
    ).rejects.toMatchObject({
      code: "INVALIDATION_FAILED",
      message: expect.stringContaining("aws cloudfront get-invalidation --distribution-id E1"),
    });
  });
});

const endpoint = motoEndpoint();
describe.skipIf(endpoint === undefined)("an atomic deploy racing another writer", () => {
  it("fails with CONFLICT and leaves the live release alone", async () => {
    const s3 = s3Client(endpoint as string);
    const bucket = await newBucket(s3);
    const { fake, cdn } = await fakeCdn({ E9: "" });
    const dir = await tempDir();
    await mkdir(join(dir, "a"), { recursive: true });
    await writeFile(join(dir, "index.html"), "<p>v1</p>");
    await writeFile(join(dir, "a", "index.html"), "<p>a</p>");
    const store = createS3ObjectStore(s3, bucket);
    const options = {
      site: "s",
      stage: "production",
      dir,
      mode: "atomic" as const,
      target: { bucket, distributionId: "E9" },
      store,
      cdn,
      sleep: async () => {},
    };
    const first = await deploySite(options);
    expect(fake.originPathOf("E9")).toBe(`/releases/${first.release}`);

    await writeFile(join(dir, "index.html"), "<p>v2</p>");
    await expect(
      deploySite({ ...options, onProgress: () => fake.changeBehindYourBack("E9") }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("run the command again"),
    });
    expect(fake.originPathOf("E9")).toBe(`/releases/${first.release}`);
  });
});
