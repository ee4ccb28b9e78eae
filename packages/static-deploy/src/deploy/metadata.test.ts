import { describe, expect, it } from "vitest";
import {
  cacheControlResolver,
  defaultCacheControl,
  IMMUTABLE,
  REVALIDATE,
  SHORT,
} from "./cache-control.js";
import { contentTypeFor } from "./content-type.js";
import { globMatcher } from "./glob.js";
import { invalidationPaths } from "./invalidation.js";
import { newReleaseId, normalizePrefix, releaseIdOf } from "./releases.js";
import { pageUrl } from "./smoke.js";

describe("contentTypeFor", () => {
  it.each([
    ["index.html", "text/html; charset=utf-8"],
    ["a/b/STYLE.CSS", "text/css; charset=utf-8"],
    ["app.mjs", "text/javascript; charset=utf-8"],
    ["data.json", "application/json; charset=utf-8"],
    ["logo.svg", "image/svg+xml; charset=utf-8"],
    ["photo.JPG", "image/jpeg"],
    ["font.woff2", "font/woff2"],
    ["site.webmanifest", "application/manifest+json; charset=utf-8"],
    ["README", "application/octet-stream"],
    [".hidden", "application/octet-stream"],
    ["dir.v2/file", "application/octet-stream"],
    // From mime's tables, beyond the common web types.
    ["calendar.ics", "text/calendar; charset=utf-8"],
    ["feed.atom", "application/atom+xml; charset=utf-8"],
    ["model.glb", "model/gltf-binary"],
    ["app.wasm", "application/wasm"],
  ])("%s is %s", (name, type) => {
    expect(contentTypeFor(name)).toBe(type);
  });
});

describe("Cache-Control", () => {
  it.each([
    ["index.html", REVALIDATE],
    ["about/index.htm", REVALIDATE],
    ["sw.js", REVALIDATE],
    ["robots.txt", REVALIDATE],
    ["sitemap-0.xml", REVALIDATE],
    [".well-known/security.txt", REVALIDATE],
    ["assets/app.3f9a2c1b.js", IMMUTABLE],
    ["assets/index-Bv9x_Yq2.css", IMMUTABLE],
    ["assets/chunk-4F9A2C1B.js", IMMUTABLE],
    ["assets/site.css", SHORT],
    ["img/sunset-cruise.jpg", SHORT], // a word, not a hash: no digit
  ])("defaults %s to %s", (path, value) => {
    expect(defaultCacheControl(path)).toBe(value);
  });

  it("applies the site's rules first, first match wins", () => {
    const resolve = cacheControlResolver([
      { match: "img/**", cacheControl: "public, max-age=86400" },
      { match: "*.pdf", cacheControl: "no-store" },
      { match: "img/hero.jpg", cacheControl: "never used" },
    ]);
    expect(resolve("img/hero.jpg")).toBe("public, max-age=86400");
    expect(resolve("docs/menu.pdf")).toBe("no-store");
    expect(resolve("index.html")).toBe(REVALIDATE);
  });
});

describe("globMatcher", () => {
  it.each([
    ["*.html", "a/b/index.html", true],
    ["*.html", "index.htm", false],
    ["assets/**", "assets/x/y.js", true],
    ["assets/**", "other/assets/y.js", false],
    ["**/*.js", "app.js", true],
    ["**/*.js", "a/b/app.js", true],
    ["{sw,service-worker}.js", "service-worker.js", true],
    ["img/?.png", "img/a.png", true],
    ["img/?.png", "img/ab.png", false],
    ["a.b", "axb", false],
    // Classes and negation, which the hand-written matcher lacked.
    ["img/[a-c].png", "img/b.png", true],
    ["img/[a-c].png", "img/d.png", false],
    ["!*.html", "a/app.js", true],
    ["!*.html", "a/index.html", false],
    ["/robots.txt", "robots.txt", true],
    ["/robots.txt", "a/robots.txt", false],
    [".well-known/**", ".well-known/security.txt", true],
  ])("%s against %s is %s", (glob, path, expected) => {
    expect(globMatcher(glob)(path)).toBe(expected);
  });
});

describe("invalidationPaths", () => {
  it("encodes paths and adds the directory of an index.html", () => {
    expect(
      invalidationPaths(["index.html", "trips/sunset cruise/index.html", "ü.css"], 100),
    ).toEqual(
      [
        "/",
        "/index.html",
        "/trips/sunset%20cruise/",
        "/trips/sunset%20cruise/index.html",
        "/%C3%BC.css",
      ].sort(),
    );
  });

  it("collapses to /* past the threshold and past CloudFront's 3,000", () => {
    const many = Array.from({ length: 12 }, (_, i) => `p${i}.css`);
    expect(invalidationPaths(many, 10)).toEqual(["/*"]);
    expect(invalidationPaths(many, 12)).toHaveLength(12);
    const tooMany = Array.from({ length: 3001 }, (_, i) => `p${i}.css`);
    expect(invalidationPaths(tooMany, 5000)).toEqual(["/*"]);
  });
});

describe("release ids and paths", () => {
  it("makes sortable ids from the time and the commit", () => {
    expect(newReleaseId(new Date("2026-11-23T19:10:00.123Z"), "3f9a2c1b0d")).toBe(
      "20261123T191000Z-3f9a2c1",
    );
    expect(newReleaseId(new Date("2026-11-23T19:10:00Z"))).toMatch(
      /^20261123T191000Z-[0-9a-f]{7}$/,
    );
  });

  it("normalizes prefixes and reads release ids back from origin paths", () => {
    expect(normalizePrefix("/sites/jada/")).toBe("sites/jada/");
    expect(normalizePrefix("")).toBe("");
    expect(releaseIdOf("/sites/jada/releases/20261123T191000Z-abc", "sites/jada/")).toBe(
      "20261123T191000Z-abc",
    );
    expect(releaseIdOf("/releases/x/y", "")).toBeUndefined();
    expect(releaseIdOf("", "")).toBeUndefined();
  });

  it("maps pages to the URLs that serve them", () => {
    expect(pageUrl("https://staging.sailjada.com", "index.html")).toBe(
      "https://staging.sailjada.com/",
    );
    expect(pageUrl("https://s.example/", "about/index.html")).toBe("https://s.example/about/");
    expect(pageUrl("https://s.example/", "trips/a b.html")).toBe(
      "https://s.example/trips/a%20b.html",
    );
  });
});
