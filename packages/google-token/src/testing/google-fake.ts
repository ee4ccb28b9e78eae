import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import { type AnalyticsControls, createAnalyticsBackend } from "./analytics-fake.js";
import { apiError, json, readBody } from "./http.js";
import { createSheetsBackend, type SheetsControls } from "./sheets-fake.js";

/** How the fake token endpoint answers a refresh. */
export type RefreshBehavior =
  | "ok"
  | "rotate"
  | "invalid_grant"
  | "invalid_rapt"
  | "invalid_client"
  | "429"
  | "503"
  | "drop";

/** Options of {@link startGoogleFake}. */
export interface GoogleFakeOptions {
  /** Seconds an issued access token lives (default 3600). */
  expiresIn?: number;
}

/** A loopback stand-in for Google's OAuth and Sheets endpoints, and its controls. */
export interface GoogleFake extends SheetsControls, AnalyticsControls {
  /** Base URL (`http://127.0.0.1:PORT`). */
  url: string;
  tokenUrl: string;
  authUrl: string;
  tokenInfoUrl: string;
  /** Root URL for googleapis clients (`rootUrl` option), serving the Sheets API. */
  apiRootUrl: string;
  /**
   * A refresh token the fake accepts, for `email`; with `scopes`, the access tokens it yields
   * carry only those (GA4 then refuses a token without analytics.readonly).
   */
  issueRefreshToken(email: string, scopes?: string[]): string;
  /** Answers for the next refreshes, in order; afterwards `ok`. */
  queueRefresh(...behaviors: RefreshBehavior[]): void;
  /** The account the consent step signs in as (default: the `login_hint`). */
  consentAs(email: string | undefined): void;
  /** Make the consent redirect carry a wrong `state`. */
  tamperState(tamper: boolean): void;
  /** Make the consent step answer `error=access_denied`. */
  denyConsent(deny: boolean): void;
  /** Every access token issued so far stops working (a revocation mid-run). */
  revokeAccessTokens(): void;
  /** Counters: refreshes answered (any outcome), code exchanges, Sheets calls. */
  readonly counts: { refresh: number; exchange: number; sheets: number };
  close(): Promise<void>;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

/** An unsigned OpenID Connect id_token (the token endpoint's own answer, as Google's is). */
function idToken(email: string): string {
  const header = base64url(JSON.stringify({ alg: "none", typ: "JWT" }));
  const payload = base64url(
    JSON.stringify({ iss: "https://accounts.google.com", email, email_verified: true, sub: email }),
  );
  return `${header}.${payload}.`;
}

/**
 * Starts a loopback server that speaks Google's OAuth 2.0 wire protocol (token endpoint with
 * `refresh_token` and `authorization_code` grants, PKCE S256 verified; an authorization
 * endpoint that plays the user's consent by redirecting back with a code and the state;
 * tokeninfo) and the Sheets `values.get` API, with the failures to test against.
 *
 * @example
 * ```ts
 * const google = await startGoogleFake();
 * const refreshToken = google.issueRefreshToken("ops@sailjada.com");
 * google.queueRefresh("503", "invalid_grant");
 * ```
 */
export async function startGoogleFake(options: GoogleFakeOptions = {}): Promise<GoogleFake> {
  const refreshTokens = new Map<string, string>(); // token -> email
  const accessTokens = new Map<string, string>(); // token -> email
  const codes = new Map<
    string,
    { email: string; challenge: string; redirectUri: string; scope: string }
  >();
  const queue: RefreshBehavior[] = [];
  let consentEmail: string | undefined;
  let tamper = false;
  let deny = false;
  const counts = { refresh: 0, exchange: 0, sheets: 0 };
  const sheets = createSheetsBackend();
  const analytics = createAnalyticsBackend();
  // The scopes a token was granted (absent: any; tokens issued by issueRefreshToken alone).
  const refreshScopes = new Map<string, string>();
  const accessScopes = new Map<string, string>();

  const issueAccess = (email: string, scope?: string) => {
    const token = `ya29.fake-${randomBytes(24).toString("base64url")}`;
    accessTokens.set(token, email);
    if (scope !== undefined) accessScopes.set(token, scope);
    return token;
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    try {
      if (request.method === "POST" && url.pathname === "/token") {
        const form = new URLSearchParams(await readBody(request));
        const grant = form.get("grant_type");
        if (grant === "refresh_token") {
          counts.refresh++;
          const behavior = queue.shift() ?? "ok";
          if (behavior === "drop") {
            request.socket.destroy();
            return;
          }
          if (behavior === "429" || behavior === "503") {
            json(response, Number(behavior), {
              error: behavior === "429" ? "rate_limit_exceeded" : "backend_error",
            });
            return;
          }
          if (behavior === "invalid_client") {
            json(response, 401, {
              error: "invalid_client",
              error_description: "The OAuth client was not found.",
            });
            return;
          }
          const email = refreshTokens.get(form.get("refresh_token") ?? "");
          if (behavior === "invalid_rapt") {
            json(response, 400, {
              error: "invalid_grant",
              error_description: "reauth related error (invalid_rapt)",
              error_subtype: "invalid_rapt",
            });
            return;
          }
          if (behavior === "invalid_grant" || email === undefined) {
            json(response, 400, {
              error: "invalid_grant",
              error_description: "Token has been expired or revoked.",
            });
            return;
          }
          const granted = refreshScopes.get(form.get("refresh_token") ?? "");
          const body: Record<string, unknown> = {
            access_token: issueAccess(email, granted),
            expires_in: options.expiresIn ?? 3600,
            scope: granted ?? "https://www.googleapis.com/auth/spreadsheets",
            token_type: "Bearer",
          };
          if (behavior === "rotate") {
            const rotated = `1//0fake-${randomBytes(24).toString("base64url")}`;
            refreshTokens.set(rotated, email);
            body["refresh_token"] = rotated;
          }
          json(response, 200, body);
          return;
        }
        if (grant === "authorization_code") {
          counts.exchange++;
          const code = codes.get(form.get("code") ?? "");
          const verifier = form.get("code_verifier") ?? "";
          if (code === undefined) {
            json(response, 400, {
              error: "invalid_grant",
              error_description: "Malformed auth code.",
            });
            return;
          }
          codes.delete(form.get("code") ?? "");
          const challenge = createHash("sha256").update(verifier).digest("base64url");
          if (challenge !== code.challenge || form.get("redirect_uri") !== code.redirectUri) {
            json(response, 400, {
              error: "invalid_grant",
              error_description: "code_verifier or redirect_uri mismatch",
            });
            return;
          }
          const refreshToken = `1//0fake-${randomBytes(24).toString("base64url")}`;
          refreshTokens.set(refreshToken, code.email);
          refreshScopes.set(refreshToken, code.scope);
          json(response, 200, {
            access_token: issueAccess(code.email, code.scope),
            refresh_token: refreshToken,
            expires_in: options.expiresIn ?? 3600,
            scope: code.scope,
            token_type: "Bearer",
            id_token: idToken(code.email),
          });
          return;
        }
        json(response, 400, { error: "unsupported_grant_type" });
        return;
      }
      if (request.method === "GET" && url.pathname === "/auth") {
        const redirectUri = url.searchParams.get("redirect_uri") ?? "";
        const state = url.searchParams.get("state") ?? "";
        const target = new URL(redirectUri);
        if (deny) {
          target.searchParams.set("error", "access_denied");
        } else {
          if (
            url.searchParams.get("code_challenge_method") !== "S256" ||
            url.searchParams.get("access_type") !== "offline"
          ) {
            json(response, 400, {
              error: "invalid_request",
              error_description: "PKCE S256 and access_type=offline are required here",
            });
            return;
          }
          const code = `4/fake-${randomBytes(12).toString("base64url")}`;
          codes.set(code, {
            email: consentEmail ?? url.searchParams.get("login_hint") ?? "someone@example.com",
            challenge: url.searchParams.get("code_challenge") ?? "",
            redirectUri,
            scope: url.searchParams.get("scope") ?? "",
          });
          target.searchParams.set("code", code);
        }
        target.searchParams.set("state", tamper ? `${state}x` : state);
        response.writeHead(302, { location: target.toString() });
        response.end();
        return;
      }
      if (request.method === "GET" && url.pathname === "/tokeninfo") {
        const email = accessTokens.get(url.searchParams.get("access_token") ?? "");
        if (email === undefined) json(response, 400, { error: "invalid_token" });
        else json(response, 200, { email, email_verified: "true", expires_in: "3599" });
        return;
      }
      const isReport = url.pathname.startsWith("/v1beta/properties/");
      const isSheets = url.pathname.startsWith("/v4/spreadsheets/");
      if (isReport || isSheets) {
        // Google's APIs take the access token as a bearer; an unknown one is a 401.
        const bearer = (request.headers.authorization ?? "").replace(/^Bearer /, "");
        const email = accessTokens.get(bearer);
        if (isSheets) counts.sheets++;
        if (email === undefined) {
          apiError(
            response,
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
          );
          return;
        }
        const handled = isReport
          ? await analytics.handle(request, response, url, email, accessScopes.get(bearer))
          : await sheets.handle(request, response, url, email);
        if (handled) return;
        apiError(response, 404, "NOT_FOUND", "Requested entity was not found.");
        return;
      }
      json(response, 404, { error: "not_found" });
    } catch (error) {
      json(response, 500, { error: "fake_error", error_description: String(error) });
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    tokenUrl: `${url}/token`,
    authUrl: `${url}/auth`,
    tokenInfoUrl: `${url}/tokeninfo`,
    apiRootUrl: `${url}/`,
    issueRefreshToken(email, scopes) {
      const token = `1//0fake-${randomBytes(24).toString("base64url")}`;
      refreshTokens.set(token, email);
      if (scopes) refreshScopes.set(token, scopes.join(" "));
      return token;
    },
    queueRefresh(...behaviors) {
      queue.push(...behaviors);
    },
    consentAs(email) {
      consentEmail = email;
    },
    tamperState(value) {
      tamper = value;
    },
    denyConsent(value) {
      deny = value;
    },
    revokeAccessTokens() {
      accessTokens.clear();
    },
    addSpreadsheet: sheets.controls.addSpreadsheet,
    tab: sheets.controls.tab,
    setTab: sheets.controls.setTab,
    failNext: sheets.controls.failNext,
    get retryAfterSeconds() {
      return sheets.controls.retryAfterSeconds;
    },
    set retryAfterSeconds(seconds: number) {
      sheets.controls.retryAfterSeconds = seconds;
    },
    sheetCounts: sheets.controls.sheetCounts,
    addProperty: analytics.controls.addProperty,
    failNextReports: analytics.controls.failNextReports,
    reportCounts: analytics.controls.reportCounts,
    counts,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
