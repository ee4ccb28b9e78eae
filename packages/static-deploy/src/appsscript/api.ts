// The Apps Script API as a deploy needs it (a port), and its adapter on `@googleapis/script`.
// The adapter takes an access-token provider, not an auth library: this package does not depend
// on `@jada/google-token`; the app composes them. Google's refusals are classified with what
// fixes them: the API not enabled for the user, a token without the scopes, the version cap.
import { StaticDeployError } from "../errors.js";
import type { ScriptFile } from "./project.js";

/** The scopes a deploy needs. */
export const APPS_SCRIPT_SCOPES = [
  "https://www.googleapis.com/auth/script.projects",
  "https://www.googleapis.com/auth/script.deployments",
] as const;

/** A version of a project. */
export interface ScriptVersion {
  versionNumber: number;
  description: string;
  createTime: string;
}

/** What a deploy asks of Apps Script. */
export interface AppsScriptApi {
  getContent(scriptId: string): Promise<ScriptFile[]>;
  updateContent(scriptId: string, files: readonly ScriptFile[]): Promise<void>;
  createVersion(scriptId: string, description: string): Promise<ScriptVersion>;
  listVersions(scriptId: string): Promise<ScriptVersion[]>;
  /** The version a deployment serves (undefined: HEAD, the latest code). */
  deploymentVersion(scriptId: string, deploymentId: string): Promise<number | undefined>;
  /** Points the deployment at a version (never creates a deployment: Apps Script caps them at 20). */
  pointDeployment(
    scriptId: string,
    deploymentId: string,
    versionNumber: number,
    description: string,
  ): Promise<void>;
}

/** Options of {@link createAppsScriptApi}. */
export interface AppsScriptApiOptions {
  /** An OAuth access token with the {@link APPS_SCRIPT_SCOPES}, fresh on each call. */
  getAccessToken: () => Promise<string>;
  /** The account, for the messages. */
  account?: string | undefined;
  /** The API's root (default `https://script.googleapis.com/`): a loopback one in tests. */
  rootUrl?: string | undefined;
}

/** The Apps Script API (v1) through `@googleapis/script` (loaded on first use). */
export function createAppsScriptApi(options: AppsScriptApiOptions): AppsScriptApi {
  let client: Promise<import("@googleapis/script").script_v1.Script> | undefined;
  const script = () => {
    client ??= import("@googleapis/script").then(({ script }) =>
      script({ version: "v1", rootUrl: options.rootUrl }),
    );
    return client;
  };
  const call = async <T>(
    scriptId: string,
    what: string,
    request: (
      api: import("@googleapis/script").script_v1.Script,
      auth: { headers: Record<string, string>; retry: boolean },
    ) => Promise<T>,
  ): Promise<T> => {
    const api = await script();
    const auth = {
      headers: { authorization: `Bearer ${await options.getAccessToken()}` },
      retry: true,
    };
    try {
      return await request(api, auth);
    } catch (error) {
      throw classify(error, scriptId, what, options.account);
    }
  };
  return {
    async getContent(scriptId) {
      const response = await call(scriptId, "reading the project", (api, auth) =>
        api.projects.getContent({ scriptId }, auth),
      );
      return (response.data.files ?? []).map((file) => ({
        name: file.name ?? "",
        type: (file.type ?? "SERVER_JS") as ScriptFile["type"],
        source: file.source ?? "",
      }));
    },
    async updateContent(scriptId, files) {
      await call(scriptId, "uploading the project", (api, auth) =>
        api.projects.updateContent(
          { scriptId, requestBody: { scriptId, files: files.map((file) => ({ ...file })) } },
          auth,
        ),
      );
    },
    async createVersion(scriptId, description) {
      const response = await call(scriptId, "creating a version", (api, auth) =>
        api.projects.versions.create({ scriptId, requestBody: { description } }, auth),
      );
      return versionOf(response.data);
    },
    async listVersions(scriptId) {
      const versions: ScriptVersion[] = [];
      let pageToken: string | undefined;
      do {
        const response = await call(scriptId, "listing the versions", (api, auth) =>
          api.projects.versions.list({ scriptId, pageSize: 50, pageToken }, auth),
        );
        versions.push(...(response.data.versions ?? []).map(versionOf));
        pageToken = response.data.nextPageToken ?? undefined;
      } while (pageToken);
      return versions.sort((a, b) => b.versionNumber - a.versionNumber);
    },
    async deploymentVersion(scriptId, deploymentId) {
      const response = await call(scriptId, `reading deployment ${deploymentId}`, (api, auth) =>
        api.projects.deployments.get({ scriptId, deploymentId }, auth),
      );
      return response.data.deploymentConfig?.versionNumber ?? undefined;
    },
    async pointDeployment(scriptId, deploymentId, versionNumber, description) {
      await call(scriptId, `updating deployment ${deploymentId}`, (api, auth) =>
        api.projects.deployments.update(
          {
            scriptId,
            deploymentId,
            requestBody: {
              deploymentConfig: {
                scriptId,
                versionNumber,
                manifestFileName: "appsscript",
                description,
              },
            },
          },
          auth,
        ),
      );
    },
  };
}

function versionOf(data: {
  versionNumber?: number | null;
  description?: string | null;
  createTime?: string | null;
}): ScriptVersion {
  return {
    versionNumber: data.versionNumber ?? 0,
    description: data.description ?? "",
    createTime: data.createTime ?? "",
  };
}

interface ApiError {
  status?: number;
  response?: {
    status?: number;
    data?: { error?: { message?: string; status?: string; details?: Array<{ reason?: string }> } };
  };
}

function classify(
  error: unknown,
  scriptId: string,
  what: string,
  account: string | undefined,
): StaticDeployError {
  const e = error as ApiError;
  const status = e.response?.status ?? e.status ?? 0;
  const google = e.response?.data?.error;
  const said = google?.message ?? (error as Error).message;
  const reasons = (google?.details ?? []).map((detail) => detail.reason);
  const who = account ?? "the account";
  if (
    status === 403 &&
    /has not enabled the Apps Script API|Apps Script API has not been used/i.test(said)
  )
    return new StaticDeployError(
      "APPS_SCRIPT_DISABLED",
      `the Apps Script API is not enabled for ${who}: turn it on at https://script.google.com/home/usersettings, then deploy again`,
      { cause: error },
    );
  if (
    status === 403 &&
    (reasons.includes("ACCESS_TOKEN_SCOPE_INSUFFICIENT") ||
      /insufficient authentication scopes/i.test(said))
  )
    return new StaticDeployError(
      "SCOPE_MISSING",
      `${who}'s token lacks the Apps Script scopes (${APPS_SCRIPT_SCOPES.join(", ")}): consent again with them`,
      { cause: error },
    );
  if (status === 403 || status === 401)
    return new StaticDeployError(
      "ACCESS_DENIED",
      `${what} of script ${scriptId} was refused for ${who}: share the project with ${who} as an editor (${said})`,
      { cause: error },
    );
  if (status === 404)
    return new StaticDeployError(
      "SITE_INVALID",
      `${what}: script ${scriptId} (or its deployment) was not found: check scriptId and deploymentId (${said})`,
      { cause: error },
    );
  if (/maximum number of (script )?versions|version limit/i.test(said))
    return new StaticDeployError(
      "VERSION_CAP",
      `script ${scriptId} has as many versions as Apps Script allows (200): delete old ones in the editor (Project history), then deploy again`,
      { cause: error },
    );
  return new StaticDeployError(
    "REMOTE_FAILED",
    `${what} of script ${scriptId} failed${status ? ` (${status})` : ""}: ${said}`,
    {
      cause: error,
    },
  );
}
