import { globMatcher } from "./glob.js";

/** A Cache-Control rule of a site's config: the first rule whose glob matches a path wins. */
export interface CacheRule {
  /** Glob over the path in the site (`assets/**`, `*.html`, `{sw,service-worker}.js`). */
  match: string;
  cacheControl: string;
}

/** Entry files: must revalidate so a new release is seen at once. */
export const REVALIDATE = "public, max-age=0, must-revalidate";
/** Fingerprinted assets: the name changes with the content, so they can be cached forever. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** Everything else: an hour. */
export const SHORT = "public, max-age=3600";

// Files browsers and crawlers fetch by a fixed name: they must never be stale for long.
const ENTRY_FILES =
  /(?:^|\/)(?:[^/]+\.html?|sw\.js|service-worker\.js|manifest\.(?:webmanifest|json)|robots\.txt|sitemap[^/]*\.xml|\.well-known\/.*)$/i;
// `app.3f9a2c1b.js`, `chunk-4F9A2C1B.css`, `logo-Bv9x_Yq2.svg`: a hash of 8+ characters
// with at least one digit, beside the extension.
const FINGERPRINT = /[.-](?=[A-Za-z0-9_]*\d)[A-Za-z0-9_]{8,}\.[a-z0-9]+$/;

/** The defaults, applied after the site's own rules. */
export function defaultCacheControl(path: string): string {
  if (ENTRY_FILES.test(path)) return REVALIDATE;
  if (FINGERPRINT.test(path)) return IMMUTABLE;
  return SHORT;
}

/** Compiles a site's rules into a function from path (in the site) to Cache-Control. */
export function cacheControlResolver(rules: readonly CacheRule[] = []): (path: string) => string {
  const compiled = rules.map((rule) => ({
    test: globMatcher(rule.match),
    value: rule.cacheControl,
  }));
  return (path) => compiled.find((rule) => rule.test(path))?.value ?? defaultCacheControl(path);
}
