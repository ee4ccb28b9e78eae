// Deploys against a real S3/CloudFront emulator (moto) with the real AWS SDK clients.
import { cp, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetDistributionConfigCommand } from "@aws-sdk/client-cloudfront";
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { createCloudFrontCdn, createS3ObjectStore } from "../src/adapters/aws.js";
import { deploySite } from "../src/deploy/deploy.js";
import { listReleases, rollback } from "../src/deploy/releases.js";
import { startFaultProxy } from "../src/testing/fault-proxy.js";
import { cloudFrontClient, motoEndpoint, newBucket, newDistribution, s3Client } from "./aws.js";
import { tempDir } from "./helpers.js";

const endpoint = motoEndpoint();
if (endpoint === undefined)
  console.warn("[static-deploy] deploy tests skipped: moto_server is not on PATH");

const noWait = (_ms: number) => Promise.resolve();

async function writeSite(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

const baseSite = {
  "index.html": "<!doctype html><title>Home</title><p>Welcome aboard</p>",
  "about/index.html": "<!doctype html><title>About</title>",
  "assets/app.3f9a2c1b.js": "console.log('app');",
  "assets/site.css": "body { color: navy; }",
  "img/logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]),
  "trips/sunset cruise/ü.html": "<!doctype html><title>Sunset</title>",
};

async function keys(s3: S3Client, bucket: string, prefix = ""): Promise<string[]> {
  const result = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (result.Contents ?? []).map((object) => object.Key ?? "").sort();
}

describe.skipIf(endpoint === undefined)("deploySite against moto", () => {
  let s3: S3Client;
  beforeAll(() => {
    s3 = s3Client(endpoint as string);
  });

  async function setup(mode: "sync" | "atomic" = "sync") {
    const bucket = await newBucket(s3);
    const cloudFront = cloudFrontClient(endpoint as string);
    const distributionId = await newDistribution(cloudFront, bucket);
    const dir = await tempDir();
    await writeSite(dir, baseSite);
    const store = createS3ObjectStore(s3, bucket, {
      multipartThreshold: 5 * 1024 * 1024,
      partSize: 5 * 1024 * 1024,
    });
    const cdn = createCloudFrontCdn(cloudFront);
    const deploy = (overrides: Partial<Parameters<typeof deploySite>[0]> = {}) =>
      deploySite({
        site: "sailjada",
        stage: "staging",
        dir,
        mode,
        target: { bucket, distributionId },
        store,
        cdn,
        sleep: noWait,
        ...overrides,
      });
    return { bucket, cloudFront, distributionId, dir, store, cdn, deploy };
  }

  it("first deploy uploads everything with the right metadata and invalidates what changed", async () => {
    const { bucket, deploy } = await setup();
    const result = await deploy({ commit: "3f9a2c1b0d" });
    expect(result.uploaded).toEqual(Object.keys(baseSite).sort());
    expect(result.unchanged).toBe(0);
    expect(result.release).toMatch(/^\d{8}T\d{6}Z-3f9a2c1$/);
    expect(await keys(s3, bucket)).toEqual(
      [
        ...Object.keys(baseSite),
        ".jada/manifest.json",
        `.jada/releases/staging/${result.release}.json`,
      ].sort(),
    );

    const html = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "index.html" }));
    expect(html.ContentType).toBe("text/html; charset=utf-8");
    expect(html.CacheControl).toBe("public, max-age=0, must-revalidate");
    expect(html.Metadata?.["md5"]).toMatch(/^[0-9a-f]{32}$/);
    const asset = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: "assets/app.3f9a2c1b.js" }),
    );
    expect([asset.ContentType, asset.CacheControl]).toEqual([
      "text/javascript; charset=utf-8",
      "public, max-age=31536000, immutable",
    ]);
    const png = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "img/logo.png" }));
    expect([png.ContentType, png.CacheControl]).toEqual(["image/png", "public, max-age=3600"]);
    const encoded = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "trips/sunset cruise/ü.html" }),
    );
    expect(await encoded.Body?.transformToString()).toBe(baseSite["trips/sunset cruise/ü.html"]);

    expect(result.invalidation?.status.toLowerCase()).toBe("completed");
    expect(result.invalidation?.paths).toEqual(
      expect.arrayContaining([
        "/",
        "/index.html",
        "/about/",
        "/about/index.html",
        "/trips/sunset%20cruise/%C3%BC.html",
      ]),
    );
  });

  it("redeploys a fresh clone with new mtimes without uploading anything", async () => {
    const { dir, deploy } = await setup();
    await deploy();
    const clone = await tempDir();
    await cp(dir, clone, { recursive: true, preserveTimestamps: false });
    const result = await deploy({ dir: clone });
    expect(result).toMatchObject({
      uploaded: [],
      copied: [],
      deleted: [],
      unchanged: Object.keys(baseSite).length,
      bytes: 0,
      invalidation: null,
    });
  });

  it("uploads a same-size edit", async () => {
    const { dir, deploy } = await setup();
    await deploy();
    await writeFile(join(dir, "index.html"), baseSite["index.html"].replace("Welcome", "Welcomf"));
    const result = await deploy();
    expect(result.uploaded).toEqual(["index.html"]);
    expect(result.invalidation?.paths).toEqual(["/", "/index.html"]);
  });

  it("fixes metadata drift with a server-side copy, not an upload", async () => {
    const { bucket, deploy } = await setup();
    await deploy();
    // S3's LastModified has a one-second resolution, and the deploy's manifest trusts objects
    // whose ETag and LastModified are unchanged: change the object in a later second, as a
    // person would (--verify checks every object with a HEAD regardless).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Someone re-uploaded the stylesheet by hand, with S3's default type.
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "assets/site.css",
        CopySource: `${bucket}/assets/site.css`,
        MetadataDirective: "REPLACE",
        ContentType: "binary/octet-stream",
      }),
    );
    const result = await deploy();
    expect(result.uploaded).toEqual([]);
    expect(result.copied).toEqual(["assets/site.css"]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "assets/site.css" }));
    expect(head.ContentType).toBe("text/css; charset=utf-8");
  });

  it("finds drift in the same second with verify, which HEADs every object", async () => {
    const { bucket, deploy } = await setup();
    await deploy();
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "img/logo.png",
        CopySource: `${bucket}/img/logo.png`,
        MetadataDirective: "REPLACE",
        ContentType: "binary/octet-stream",
      }),
    );
    const result = await deploy({ verify: true });
    expect(result.copied).toEqual(["img/logo.png"]);
  });

  it("deletes files gone from the site only when asked, after uploading", async () => {
    const { bucket, dir, deploy } = await setup();
    await deploy();
    const { rm } = await import("node:fs/promises");
    await rm(join(dir, "about"), { recursive: true });
    const kept = await deploy();
    expect(kept.extraneous).toEqual(["about/index.html"]);
    expect(kept.deleted).toEqual([]);
    expect(await keys(s3, bucket, "about/")).toEqual(["about/index.html"]);

    const removed = await deploy({ delete: true });
    expect(removed.deleted).toEqual(["about/index.html"]);
    expect(await keys(s3, bucket, "about/")).toEqual([]);
    // Release records are never part of the site, so never deleted. (The deploy that kept the
    // extra file changed nothing, so it made no release.)
    expect(kept.upToDate).toBe(true);
    expect((await keys(s3, bucket, ".jada/releases/")).length).toBe(2);
    expect(removed.invalidation?.paths).toEqual(["/about/", "/about/index.html"]);
  });

  it("uploads a large file in parts and recognizes it afterwards by its md5 metadata", async () => {
    const { bucket, dir, deploy } = await setup();
    const big = Buffer.alloc(11 * 1024 * 1024, 7);
    await writeFile(join(dir, "video.mp4"), big);
    const first = await deploy();
    expect(first.uploaded).toContain("video.mp4");
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "video.mp4" }));
    expect(head.ETag).toMatch(/-\d+"$/); // a multipart ETag, not an MD5
    expect(head.ContentLength).toBe(big.length);
    const again = await deploy();
    expect(again.uploaded).toEqual([]);
  });

  it("plans without changing anything in a dry run", async () => {
    const { bucket, deploy } = await setup();
    const result = await deploy({ dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.uploaded.length).toBe(Object.keys(baseSite).length);
    expect(await keys(s3, bucket)).toEqual([]);
  });

  it("atomic: builds a release, switches the origin path, and rolls back in one call", async () => {
    const { bucket, cloudFront, distributionId, dir, store, cdn, deploy } = await setup("atomic");
    const originPath = async () =>
      (await cloudFront.send(new GetDistributionConfigCommand({ Id: distributionId })))
        .DistributionConfig?.Origins?.Items?.[0]?.OriginPath;

    const first = await deploy({ now: () => new Date("2026-11-23T10:00:00Z") });
    expect(first.originPath).toBe(`/releases/${first.release}`);
    expect(await originPath()).toBe(`/releases/${first.release}`);
    expect(await keys(s3, bucket, `releases/${first.release}/`)).toHaveLength(
      Object.keys(baseSite).length,
    );

    await writeFile(join(dir, "index.html"), "<!doctype html><title>Home v2</title>");
    const second = await deploy({ now: () => new Date("2026-11-23T11:00:00Z") });
    expect(second.previousRelease).toBe(first.release);
    expect(second.uploaded).toEqual(["index.html"]);
    expect(second.copied.length).toBe(Object.keys(baseSite).length - 1);
    expect(second.invalidation?.paths).toEqual(["/", "/index.html"]);
    expect(await originPath()).toBe(`/releases/${second.release}`);
    // The first release is untouched, ready for a rollback.
    const firstIndex = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: `releases/${first.release}/index.html` }),
    );
    expect(await firstIndex.Body?.transformToString()).toBe(baseSite["index.html"]);

    const records = await listReleases(store, "", "staging");
    expect(records.map((record) => record.id)).toEqual([second.release, first.release]);
    expect(records[0]).toMatchObject({
      mode: "atomic",
      uploaded: 1,
      previous: first.release,
      files: Object.keys(baseSite).length,
    });

    const back = await rollback({ store, cdn, distributionId, prefix: "", stage: "staging" });
    expect(back).toEqual({
      from: second.release,
      to: first.release,
      originPath: `/releases/${first.release}`,
    });
    expect(await originPath()).toBe(`/releases/${first.release}`);
    await expect(
      rollback({ store, cdn, distributionId, prefix: "", stage: "staging" }),
    ).rejects.toMatchObject({
      code: "NO_RELEASE",
    });
    const named = await rollback({
      store,
      cdn,
      distributionId,
      prefix: "",
      stage: "staging",
      to: second.release,
    });
    expect(named.to).toBe(second.release);
    await expect(
      rollback({
        store,
        cdn,
        distributionId,
        prefix: "",
        stage: "staging",
        to: "20200101T000000Z-nothere",
      }),
    ).rejects.toMatchObject({
      code: "NO_RELEASE",
    });
  });

  it("retries S3 throttling (503 SlowDown) and succeeds", async () => {
    const proxy = await startFaultProxy(endpoint as string);
    try {
      const throttled = s3Client(proxy.endpoint, 6);
      const bucket = await newBucket(s3);
      const dir = await tempDir();
      await writeSite(dir, baseSite);
      let slowDowns = 3;
      proxy.setFault((request) =>
        request.method === "PUT" && slowDowns-- > 0
          ? { status: 503, code: "SlowDown", message: "Please reduce your request rate." }
          : undefined,
      );
      const result = await deploySite({
        site: "s",
        stage: "staging",
        dir,
        mode: "sync",
        target: { bucket },
        store: createS3ObjectStore(throttled, bucket),
        concurrency: 1,
      });
      expect(proxy.injected["PUT"]).toBe(3);
      expect(result.uploaded.length).toBe(Object.keys(baseSite).length);
      expect(await keys(s3, bucket)).toHaveLength(Object.keys(baseSite).length + 2); // + manifest, record
    } finally {
      await proxy.close();
    }
  }, 60_000); // the SDK backs off from throttling for seconds, by design

  it("says clearly when access is denied", async () => {
    const proxy = await startFaultProxy(endpoint as string);
    try {
      proxy.setFault(() => ({ status: 403, code: "AccessDenied", message: "Access Denied" }));
      const dir = await tempDir();
      await writeSite(dir, baseSite);
      await expect(
        deploySite({
          site: "s",
          stage: "staging",
          dir,
          mode: "sync",
          target: { bucket: "b" },
          store: createS3ObjectStore(s3Client(proxy.endpoint), "b"),
        }),
      ).rejects.toMatchObject({
        code: "ACCESS_DENIED",
        message: expect.stringContaining("access denied"),
      });
    } finally {
      await proxy.close();
    }
  });

  it("refuses bad input with a specific error", async () => {
    const store = createS3ObjectStore(s3, "no-such-bucket-here");
    const dir = await tempDir();
    const run = (siteDir: string, bucketStore = store) =>
      deploySite({
        site: "s",
        stage: "staging",
        dir: siteDir,
        mode: "sync",
        target: { bucket: "x" },
        store: bucketStore,
      });
    await expect(run(join(dir, "missing"))).rejects.toMatchObject({
      code: "SITE_INVALID",
      message: expect.stringContaining("no such file"),
    });
    await expect(run(dir)).rejects.toMatchObject({
      code: "SITE_INVALID",
      message: expect.stringContaining("has no files"),
    });
    await writeSite(dir, { "index.html": "<p>hi</p>" });
    await expect(run(dir)).rejects.toMatchObject({ code: "BUCKET_NOT_FOUND" });
    await symlink("/etc", join(dir, "etc"));
    await expect(run(dir)).rejects.toMatchObject({
      code: "SITE_INVALID",
      message: expect.stringContaining("leaves the site directory"),
    });
  });
});
