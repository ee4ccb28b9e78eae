import { mapConcurrent } from "../concurrency.js";

/** A page that failed the smoke check, and why. */
export interface SmokeFailure {
  url: string;
  reason: string;
}

/** Options of {@link smokeCheck}. */
export interface SmokeCheckOptions {
  /** Public URL of the stage (`https://staging.sailjada.com`). */
  baseUrl: string;
  /** Site paths of the HTML pages to fetch (`index.html`, `about/index.html`). */
  pages: readonly string[];
  /** Per request (default 15 s). */
  timeoutMs?: number;
  concurrency?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The URL a page is served at: `about/index.html` at `/about/`, `a b.html` at `/a%20b.html`. */
export function pageUrl(baseUrl: string, path: string): string {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  const directory =
    path === "index.html"
      ? ""
      : path.endsWith("/index.html")
        ? path.slice(0, -"index.html".length)
        : undefined;
  const served = directory ?? path;
  return new URL(served.split("/").map(encodeURIComponent).join("/"), base).toString();
}

/**
 * Fetches every page of a deployed stage and checks that it answers 200 and holds no
 * unrendered `{{`: what a visitor would see, not what the bucket holds.
 *
 * @returns the failures (empty when every page passed).
 */
export async function smokeCheck(options: SmokeCheckOptions): Promise<SmokeFailure[]> {
  const doFetch = options.fetch ?? fetch;
  const failures: SmokeFailure[] = [];
  await mapConcurrent(options.pages, options.concurrency ?? 8, async (page) => {
    const url = pageUrl(options.baseUrl, page);
    try {
      const response = await doFetch(url, {
        redirect: "follow",
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        headers: { "cache-control": "no-cache" },
      });
      const body = await response.text();
      if (response.status !== 200) failures.push({ url, reason: `HTTP ${response.status}` });
      else if (body.includes("{{")) {
        const line = body.slice(0, body.indexOf("{{")).split("\n").length;
        failures.push({ url, reason: `unrendered {{ on line ${line}` });
      }
    } catch (error) {
      failures.push({
        url,
        reason: (error as Error).name === "TimeoutError" ? "timed out" : (error as Error).message,
      });
    }
  });
  return failures.sort((a, b) => (a.url < b.url ? -1 : 1));
}
