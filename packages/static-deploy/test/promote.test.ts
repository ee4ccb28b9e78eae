// Promote from staging to production against moto, with a loopback edge serving staging.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetDistributionConfigCommand } from "@aws-sdk/client-cloudfront";
import { afterEach, describe, expect, it } from "vitest";
import { createCloudFrontCdn, createS3ObjectStore } from "../src/adapters/aws.js";
import { deploySite } from "../src/deploy/deploy.js";
import { promoteSite } from "../src/deploy/promote.js";
import { listReleases } from "../src/deploy/releases.js";
import { cloudFrontClient, motoEndpoint, newBucket, newDistribution, s3Client } from "./aws.js";
import { startEdge } from "./edge-server.js";
import { tempDir } from "./helpers.js";

const endpoint = motoEndpoint();
const noWait = (_ms: number) => Promise.resolve();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe.skipIf(endpoint === undefined)("promoteSite against moto", () => {
  async function setup(pages: Record<string, string>) {
    const s3 = s3Client(endpoint as string);
    const cloudFront = cloudFrontClient(endpoint as string);
    const bucket = await newBucket(s3);
    const stagingId = await newDistribution(cloudFront, bucket);
    const productionId = await newDistribution(cloudFront, bucket);
    const dir = await tempDir();
    for (const [path, content] of Object.entries(pages)) {
      await mkdir(join(dir, path, ".."), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    const store = createS3ObjectStore(s3, bucket);
    const cdn = createCloudFrontCdn(cloudFront);
    const edge = await startEdge(s3, cloudFront, bucket, stagingId);
    closers.push(edge.close);
    const originOf = async (id: string) =>
      (await cloudFront.send(new GetDistributionConfigCommand({ Id: id }))).DistributionConfig
        ?.Origins?.Items?.[0]?.OriginPath;
    const staging = { target: { bucket, distributionId: stagingId }, store, url: edge.url };
    const production = { target: { bucket, distributionId: productionId }, store };
    const toStaging = () =>
      deploySite({
        site: "sailjada",
        stage: "staging",
        dir,
        mode: "atomic",
        target: staging.target,
        store,
        cdn,
        sleep: noWait,
      });
    const promote = () =>
      promoteSite({
        site: "sailjada",
        dir,
        mode: "atomic",
        staging,
        production,
        cdn,
        sleep: noWait,
      });
    return { dir, store, productionId, stagingId, originOf, toStaging, promote };
  }

  it("points production at the release staging serves, uploading nothing", async () => {
    const site = await setup({ "index.html": "<p>Home</p>", "about/index.html": "<p>About</p>" });
    const staged = await site.toStaging();
    const result = await site.promote();
    expect(result).toMatchObject({
      stage: "production",
      release: staged.release,
      promotedRelease: staged.release,
      uploaded: [],
      bytes: 0,
    });
    expect(result.gates).toMatchObject({ lint: { files: 2 }, smoke: { pages: 2 } });
    expect(await site.originOf(site.productionId)).toBe(`/releases/${staged.release}`);
    const records = await listReleases(site.store, "", "production");
    expect(records).toEqual([
      expect.objectContaining({ id: staged.release, promotedFrom: "staging", uploaded: 0 }),
    ]);
    expect(result.invalidation?.paths).toEqual([
      "/",
      "/about/",
      "/about/index.html",
      "/index.html",
    ]);
  });

  it("stops at the smoke check when a served page has unrendered braces", async () => {
    const site = await setup({ "index.html": "<p>Hello {{ guest.name }}</p>" });
    await site.toStaging();
    const before = await site.originOf(site.productionId);
    await expect(site.promote()).rejects.toMatchObject({
      code: "GATE_FAILED",
      message: expect.stringMatching(
        /smoke check .* 1 of 1 pages failed; production was not touched\n.*unrendered \{\{ on line 1/s,
      ),
    });
    expect(await site.originOf(site.productionId)).toBe(before);
  });

  it("stops at the lint gate when a script has braces, before looking at staging", async () => {
    const site = await setup({ "index.html": "<script>var data = {{ json }};</script>" });
    await expect(site.promote()).rejects.toMatchObject({
      code: "GATE_FAILED",
      message: expect.stringContaining("lint gate: 2 errors"),
    });
    expect(await site.originOf(site.productionId)).toBe("");
  });

  it("refuses an atomic promote when staging serves no release", async () => {
    const site = await setup({ "index.html": "<p>ok</p>" });
    // Staging serves the bucket root (an in-place deploy), which passes the smoke check.
    await deploySite({
      site: "sailjada",
      stage: "staging",
      dir: site.dir,
      mode: "sync",
      target: { bucket: "x" },
      store: site.store,
    });
    await expect(site.promote()).rejects.toMatchObject({
      code: "GATE_FAILED",
      message: expect.stringContaining(
        'serves no jada release (origin path ""): deploy to staging first',
      ),
    });
  });
});
