// Who may talk to the daemon's HTTP server, and which requests may change anything. Loopback
// without a token trusts the machine's users (as `jada` on the host does); any other address
// needs a token. Every state-changing request is a POST with the page's CSRF token and, from a
// browser, an Origin of this very server; a Host that is not this server is refused (DNS
// rebinding would otherwise let any web page read the dashboard through a loopback address).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** How requests are checked. */
export interface SecurityOptions {
  /** Bearer token (or `?token=` once, then a cookie); undefined: none needed. */
  token: string | undefined;
  /** Whether the server is bound to a loopback address (then only loopback names are hosts). */
  loopback: boolean;
}

/** What a check said: go on, or answer with this status and reason. */
export type Verdict = { ok: true } | { ok: false; status: number; reason: string };

/** The name of the cookie that carries the token after `?token=`. */
export const TOKEN_COOKIE = "jada_token";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether an address is loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The checks of one server: one CSRF token per process, compared in constant time. */
export function createSecurity(options: SecurityOptions) {
  const csrf = randomBytes(24).toString("base64url");
  const tokenDigest = options.token === undefined ? undefined : digest(options.token);

  const tokenMatches = (candidate: string | undefined): boolean =>
    candidate !== undefined &&
    tokenDigest !== undefined &&
    timingSafeEqual(digest(candidate), tokenDigest);

  return {
    csrf,
    /** Whether a token is needed at all. */
    needsToken: tokenDigest !== undefined,
    /**
     * The Host must be this server: with loopback binding, a loopback name on any port (an SSH
     * tunnel's local port differs from the daemon's).
     */
    checkHost(request: IncomingMessage): Verdict {
      if (!options.loopback) return { ok: true };
      const host = request.headers.host;
      const name = host?.replace(/:\d+$/, "").toLowerCase();
      if (name !== undefined && LOOPBACK_NAMES.has(name)) return { ok: true };
      return {
        ok: false,
        status: 421,
        reason: `this server answers to localhost only, not ${host ?? "no Host"}`,
      };
    },
    /** The token, from `Authorization: Bearer`, the cookie, or `?token=`. */
    checkToken(request: IncomingMessage, url: URL): Verdict & { fromQuery?: boolean } {
      if (tokenDigest === undefined) return { ok: true };
      const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? "")?.[1];
      if (tokenMatches(bearer) || tokenMatches(cookie(request, TOKEN_COOKIE))) return { ok: true };
      const query = url.searchParams.get("token") ?? undefined;
      if (request.method === "GET" && tokenMatches(query)) return { ok: true, fromQuery: true };
      return {
        ok: false,
        status: 401,
        reason:
          bearer !== undefined || query !== undefined
            ? "the token is wrong"
            : "a token is needed: Authorization: Bearer <http.token>, or open the page once with ?token=<http.token>",
      };
    },
    /** A state change: a POST from this server's own pages (Origin) carrying the CSRF token. */
    checkAction(request: IncomingMessage, presented: string | undefined): Verdict {
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== `http://${request.headers.host}`)
        return { ok: false, status: 403, reason: `cross-origin request from ${origin} refused` };
      if (request.headers["sec-fetch-site"] === "cross-site")
        return { ok: false, status: 403, reason: "cross-site request refused" };
      if (presented === undefined || !safeEqual(presented, csrf))
        return {
          ok: false,
          status: 403,
          reason: "missing or wrong CSRF token (reload the page; scripts: GET /api/session)",
        };
      return { ok: true };
    },
  };
}

/** The checks of one server. */
export type Security = ReturnType<typeof createSecurity>;

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** One cookie's value from the request. */
export function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}
