import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import type { Server } from "node:http";
import type { Credentials, OAuth2Client } from "google-auth-library";
import { resolveClient } from "./client-config.js";
import { GoogleTokenError } from "./errors.js";
import type { ClientConfig } from "./store-schema.js";
import type { OAuthEndpoints } from "./token-manager.js";
import type { StoreTarget } from "./token-store.js";

/** Options of {@link authorize}. */
export interface AuthorizeOptions {
  /** The email that must consent. */
  account: string;
  scopes: readonly string[];
  client: ClientConfig;
  /** Where the new tokens are written (the local store, or a remote one). */
  target: StoreTarget;
  endpoints?: OAuthEndpoints | undefined;
  /** Shows the consent URL to the person (printed, in the CLI). */
  show: (url: string) => void;
  /** Opens a browser on the URL, when there is one; resolves false if it could not. */
  openBrowser?: ((url: string) => Promise<boolean>) | undefined;
  /** Give up after this long (default 5 minutes). */
  timeoutMs?: number | undefined;
  now?: (() => number) | undefined;
}

/** What a successful consent stored. */
export interface AuthorizeResult {
  account: string;
  scopes: string[];
  /** ISO time. */
  refreshTokenObtainedAt: string;
}

// The consent must let jada verify whose account it is.
const IDENTITY_SCOPES = ["openid", "email"];

/**
 * Runs Google's installed-app flow on a loopback redirect (127.0.0.1, an ephemeral port) with
 * PKCE (S256) and a random `state`, `access_type=offline` and `prompt=consent` so a refresh token
 * is always returned. It verifies that the account that consented is the one asked for (from
 * the id_token, else tokeninfo), then writes the account to `target`. The out-of-band flow no
 * longer exists at Google and is not offered.
 *
 * @throws {GoogleTokenError} `CONSENT_FAILED` (denied, state mismatch, wrong account, no refresh
 *   token, timeout); the store is not written then.
 */
export async function authorize(options: AuthorizeOptions): Promise<AuthorizeResult> {
  const client = await resolveClient(options.client, options.account);
  const scopes = [...new Set([...options.scopes, ...IDENTITY_SCOPES])];
  const verifier = randomBytes(48).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const state = randomBytes(24).toString("base64url");
  const fail = (message: string, cause?: unknown) =>
    new GoogleTokenError("CONSENT_FAILED", `consent for ${options.account} failed: ${message}`, {
      account: options.account,
      cause,
    });

  // node:http and google-auth-library load here, for a consent, not with the package.
  const { createServer } = await import("node:http");
  const server: Server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw fail("no loopback port");
  const redirectUri = `http://127.0.0.1:${address.port}/`;
  const { OAuth2Client } = await import("google-auth-library");
  const oauth = new OAuth2Client({
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUri,
    endpoints: {
      ...(options.endpoints?.tokenUrl ? { oauth2TokenUrl: options.endpoints.tokenUrl } : {}),
      ...(options.endpoints?.authUrl ? { oauth2AuthBaseUrl: options.endpoints.authUrl } : {}),
      ...(options.endpoints?.tokenInfoUrl ? { tokenInfoUrl: options.endpoints.tokenInfoUrl } : {}),
    },
  });
  const url = oauth.generateAuthUrl({
    access_type: "offline",
    prompt: "consent",
    scope: scopes,
    state,
    login_hint: options.account,
    code_challenge: challenge,
    // google-auth-library's enum; the wire value is "S256".
    code_challenge_method: "S256" as never,
  });

  try {
    const code = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            fail(
              `no answer from the browser within ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s`,
            ),
          ),
        options.timeoutMs ?? 300_000,
      );
      server.on("request", (request, response) => {
        const query = new URL(request.url ?? "/", redirectUri).searchParams;
        if (!query.has("code") && !query.has("error")) {
          response.writeHead(404).end();
          return;
        }
        const finish = (status: number, text: string, outcome: () => void) => {
          response.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
          response.end(text);
          clearTimeout(timer);
          outcome();
        };
        if (query.get("state") !== state) {
          finish(
            400,
            "jada: the answer did not match this request (state mismatch). Start again.",
            () => reject(fail("the redirect's state does not match (a stale or forged answer)")),
          );
        } else if (query.has("error")) {
          finish(400, `jada: consent was not given (${query.get("error")}).`, () =>
            reject(fail(`Google answered ${query.get("error")}`)),
          );
        } else {
          finish(200, "jada: consent received. You can close this tab.", () =>
            resolve(query.get("code") ?? ""),
          );
        }
      });
      options.show(url);
      void options.openBrowser?.(url);
    });

    let tokens: Credentials;
    try {
      ({ tokens } = await oauth.getToken({
        code,
        codeVerifier: verifier,
        redirect_uri: redirectUri,
      }));
    } catch (error) {
      const data = (
        error as { response?: { data?: { error?: string; error_description?: string } } }
      ).response?.data;
      throw fail(
        `the code exchange failed (${data?.error ?? (error as Error).message}${data?.error_description ? `: ${data.error_description}` : ""})`,
        error,
      );
    }
    if (!tokens.refresh_token)
      throw fail("Google returned no refresh token (was prompt=consent removed by a proxy?)");

    const email = await consentingEmail(
      oauth,
      tokens.id_token ?? undefined,
      tokens.access_token ?? undefined,
    );
    if (email?.toLowerCase() !== options.account.toLowerCase()) {
      throw fail(
        `the consent was given by ${email ?? "an unknown account"}, not ${options.account}; sign in as ${options.account}`,
      );
    }

    const now = new Date((options.now ?? Date.now)()).toISOString();
    const granted = tokens.scope ? tokens.scope.split(" ") : scopes;
    await options.target.update((data) => {
      data.accounts[options.account] = {
        client: options.client,
        refreshToken: tokens.refresh_token as string,
        scopes: granted,
        refreshTokenObtainedAt: now,
        ...(tokens.access_token ? { accessToken: tokens.access_token } : {}),
        ...(tokens.expiry_date
          ? { accessTokenExpiresAt: new Date(tokens.expiry_date).toISOString() }
          : {}),
        lastRefreshOk: now,
      };
    });
    return { account: options.account, scopes: granted, refreshTokenObtainedAt: now };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

// The id_token comes straight from the token endpoint over TLS, which OpenID Connect lets a
// client trust without checking its signature; without one, ask tokeninfo.
async function consentingEmail(
  oauth: OAuth2Client,
  idToken: string | undefined,
  accessToken: string | undefined,
): Promise<string | undefined> {
  if (idToken) {
    const payload = idToken.split(".")[1];
    if (payload) {
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
        email?: string;
      };
      if (claims.email) return claims.email;
    }
  }
  if (accessToken) {
    const info = await oauth.getTokenInfo(accessToken).catch(() => undefined);
    return info?.email;
  }
  return undefined;
}
