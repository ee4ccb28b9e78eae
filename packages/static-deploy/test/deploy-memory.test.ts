// The deploy logic on the in-memory adapters (which pass the same contracts as S3 and CloudFront):
// what a deploy writes, that a second one writes nothing, and a release history with rollback.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deploySite } from "../src/deploy/deploy.js";
import { listSiteReleases, rollbackSite } from "../src/deploy/site-releases.js";
import { createMemoryCdn, createMemoryObjectStore } from "../src/testing/memory.js";
import { tempDir } from "./helpers.js";

async function site() {
  const dir = await tempDir();
  await mkdir(join(dir, "about"), { recursive: true });
  await writeFile(join(dir, "index.html"), "<p>Home</p>");
  await writeFile(join(dir, "about", "index.html"), "<p>About</p>");
  await writeFile(join(dir, "app.3f2a9c81.js"), "console.log(1)");
  return dir;
}

// One clock for the release ids, a minute a deploy.
function minutes() {
  let now = Date.parse("2026-11-30T10:00:00Z");
  return () => {
    now += 60_000;
    return new Date(now);
  };
}

describe("deploySite on the memory adapters", () => {
  it("uploads every file once with its metadata, then writes nothing for an unchanged site", async () => {
    const dir = await site();
    const store = createMemoryObjectStore();
    const options = {
      site: "sailjada",
      stage: "production",
      dir,
      mode: "sync" as const,
      target: { bucket: "sailjada-site" },
      store,
    };
    const first = await deploySite(options);
    expect(first.uploaded.sort()).toEqual(["about/index.html", "app.3f2a9c81.js", "index.html"]);
    expect(await store.head("index.html")).toMatchObject({
      contentType: "text/html; charset=utf-8",
      cacheControl: "public, max-age=0, must-revalidate",
    });
    expect((await store.head("app.3f2a9c81.js"))?.cacheControl).toContain("immutable");
    const writes = { ...store.writes };

    const second = await deploySite(options);
    expect(second.upToDate).toBe(true);
    expect(store.writes).toEqual(writes);
  });

  it("keeps releases, says which is live, and rolls back with a /* invalidation", async () => {
    const dir = await site();
    const store = createMemoryObjectStore();
    const cdn = createMemoryCdn();
    const distributionId = cdn.addDistribution();
    const now = minutes();
    const deploy = () =>
      deploySite({
        site: "sailjada",
        stage: "production",
        dir,
        mode: "atomic",
        target: { bucket: "sailjada-site", distributionId },
        store,
        cdn,
        now,
        sleep: async () => {},
      });
    const first = await deploy();
    await writeFile(join(dir, "index.html"), "<p>Home, new</p>");
    const second = await deploy();
    expect(second.release).not.toBe(first.release);
    expect(second.invalidation?.paths).toEqual(["/", "/index.html"]);

    const listed = await listSiteReleases({
      store,
      prefix: "",
      stage: "production",
      mode: "atomic",
      cdn,
      distributionId,
    });
    expect(listed.records.map((record) => record.id)).toEqual([second.release, first.release]);
    expect(listed.live).toBe(second.release);

    const back = await rollbackSite({
      site: "sailjada",
      store,
      cdn,
      distributionId,
      prefix: "",
      stage: "production",
      now: () => 1,
    });
    expect(back).toMatchObject({ from: second.release, to: first.release });
    expect(back.invalidation).toMatchObject({ status: "Completed", paths: ["/*"] });
    expect((await cdn.getOriginPath(distributionId)).originPath).toBe(`/releases/${first.release}`);
    await expect(
      rollbackSite({
        site: "sailjada",
        store,
        cdn,
        distributionId,
        prefix: "",
        stage: "production",
      }),
    ).rejects.toMatchObject({ code: "NO_RELEASE" });
  });
});
