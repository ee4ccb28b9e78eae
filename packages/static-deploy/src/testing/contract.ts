// What every ObjectStore and Cdn adapter must do, as vitest suites: run against the in-memory
// adapters and against the AWS adapters on their real peers (moto for S3, the loopback CloudFront
// for If-Match), so a deploy test on the memory adapters says something true of AWS.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collect } from "../concurrency.js";
import type { Cdn, ObjectStore } from "../types.js";

const META = { contentType: "text/html; charset=utf-8", cacheControl: "no-cache", md5: "" };

/**
 * The {@link ObjectStore} contract. `open` gives a store on an empty bucket (or an empty prefix
 * of one: the suite writes under the `prefix` it is given).
 *
 * @example
 * ```ts
 * objectStoreContract("memory", async () => ({ store: createMemoryObjectStore(), prefix: "" }));
 * ```
 */
export function objectStoreContract(
  name: string,
  open: () => Promise<{ store: ObjectStore; prefix: string }>,
): void {
  describe(`ObjectStore contract: ${name}`, () => {
    const dirs: string[] = [];
    afterAll(async () => {
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    });
    const file = async (content: string) => {
      const dir = await mkdtemp(join(tmpdir(), "jada-store-contract-"));
      dirs.push(dir);
      const path = join(dir, "file");
      await writeFile(path, content);
      return { path, size: Buffer.byteLength(content) };
    };

    it("puts files with their metadata, lists them in key order, heads them", async () => {
      const { store, prefix } = await open();
      const home = await file("<p>home</p>");
      const about = await file("<p>about</p>");
      await store.putFile(`${prefix}b/about.html`, about.path, about.size, {
        ...META,
        md5: "6c0c2b7c7c1f6a3e5c4d0a1b2c3d4e5f",
      });
      await store.putFile(`${prefix}a/index.html`, home.path, home.size, {
        ...META,
        md5: "0123456789abcdef0123456789abcdef",
      });
      const listed = await collect(store.list(prefix));
      expect(listed.map((object) => [object.key, object.size])).toEqual([
        [`${prefix}a/index.html`, home.size],
        [`${prefix}b/about.html`, about.size],
      ]);
      // A single-part upload's ETag is the MD5 of its bytes.
      expect(listed[0]?.etag).toMatch(/^[0-9a-f]{32}$/);
      expect(await store.head(`${prefix}a/index.html`)).toMatchObject({
        contentType: "text/html; charset=utf-8",
        cacheControl: "no-cache",
        md5: "0123456789abcdef0123456789abcdef",
        etag: listed[0]?.etag,
      });
      expect(await store.head(`${prefix}missing.html`)).toBeUndefined();
      expect(await collect(store.list(`${prefix}c/`))).toEqual([]);
    });

    it("writes and reads text, and says undefined for a missing key", async () => {
      const { store, prefix } = await open();
      await store.putText(`${prefix}.jada/manifest.json`, '{"a":1}', "application/json");
      expect(await store.getText(`${prefix}.jada/manifest.json`)).toBe('{"a":1}');
      expect(await store.getText(`${prefix}.jada/none.json`)).toBeUndefined();
      await store.putText(`${prefix}.jada/manifest.json`, '{"a":2}', "application/json");
      expect(await store.getText(`${prefix}.jada/manifest.json`)).toBe('{"a":2}');
    });

    it("copies within the bucket with new metadata, keeping the bytes", async () => {
      const { store, prefix } = await open();
      const page = await file("<p>copy me</p>");
      await store.putFile(`${prefix}from.html`, page.path, page.size, META);
      await store.copy(`${prefix}from.html`, `${prefix}to.html`, {
        contentType: "text/plain; charset=utf-8",
        cacheControl: "max-age=60",
        md5: "fedcba9876543210fedcba9876543210",
      });
      const [from, to] = await collect(store.list(prefix));
      expect(to?.etag).toBe(from?.etag);
      expect(await store.head(`${prefix}to.html`)).toMatchObject({
        contentType: "text/plain; charset=utf-8",
        cacheControl: "max-age=60",
        md5: "fedcba9876543210fedcba9876543210",
      });
    });

    it("deletes many keys at once, and a missing key is no error", async () => {
      const { store, prefix } = await open();
      for (const name of ["x", "y", "z"])
        await store.putText(`${prefix}${name}`, name, "text/plain");
      await store.delete([`${prefix}x`, `${prefix}z`, `${prefix}never`]);
      expect((await collect(store.list(prefix))).map((object) => object.key)).toEqual([
        `${prefix}y`,
      ]);
    });
  });
}

/**
 * The {@link Cdn} contract. `open` gives a CDN and a distribution whose (single) origin path is
 * `""`.
 */
export function cdnContract(
  name: string,
  open: () => Promise<{ cdn: Cdn; distributionId: string }>,
): void {
  describe(`Cdn contract: ${name}`, () => {
    it("switches the origin path only from the version it was read at", async () => {
      const { cdn, distributionId } = await open();
      const first = await cdn.getOriginPath(distributionId);
      expect(first.originPath).toBe("");
      const switched = await cdn.setOriginPath(distributionId, "/releases/r1", first.version);
      expect(switched.originPath).toBe("/releases/r1");
      expect(switched.version).not.toBe(first.version);
      expect(await cdn.getOriginPath(distributionId)).toEqual(switched);
      // A writer that read before the switch must not overwrite it.
      await expect(
        cdn.setOriginPath(distributionId, "/releases/r0", first.version),
      ).rejects.toMatchObject({ code: "CONFLICT" });
      expect((await cdn.getOriginPath(distributionId)).originPath).toBe("/releases/r1");
    });

    it("invalidates idempotently by caller reference, and completes", async () => {
      const { cdn, distributionId } = await open();
      const started = await cdn.invalidate(distributionId, ["/index.html", "/about/*"], "ref-1");
      const again = await cdn.invalidate(distributionId, ["/index.html", "/about/*"], "ref-1");
      expect(again.id).toBe(started.id);
      const other = await cdn.invalidate(distributionId, ["/*"], "ref-2");
      expect(other.id).not.toBe(started.id);
      let status = await cdn.getInvalidation(distributionId, started.id);
      for (let polls = 0; status.status.toLowerCase() !== "completed" && polls < 50; polls++)
        status = await cdn.getInvalidation(distributionId, started.id);
      expect(status).toEqual({ id: started.id, status: "Completed" });
    });

    it("says which distribution is unknown", async () => {
      const { cdn } = await open();
      await expect(cdn.getOriginPath("ENOSUCHDIST000")).rejects.toMatchObject({
        name: "StaticDeployError",
        message: expect.stringContaining("ENOSUCHDIST000"),
      });
    });
  });
}
