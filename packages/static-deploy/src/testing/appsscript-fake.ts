// A loopback Apps Script API (v1) for tests with the real `@googleapis/script` client: projects
// with their content, versions and deployments, in Google's URL shapes and answers, and the
// refusals a deploy must explain: the API not enabled for the user, a token without the scopes,
// the version cap.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** A file of a project, as the API sends it. */
export interface FakeScriptFile {
  name: string;
  type: "SERVER_JS" | "HTML" | "JSON";
  source: string;
}

/** A project of the fake: its content, versions, and deployments (id to version; none: HEAD). */
export interface FakeScriptProject {
  files: FakeScriptFile[];
  versions: Array<{
    versionNumber: number;
    description: string;
    createTime: string;
    files: FakeScriptFile[];
  }>;
  deployments: Record<string, number | undefined>;
}

/** What the next request answers instead of its result. */
export type AppsScriptFailure = "disabled" | "scope" | "500";

/** The fake and its controls. */
export interface AppsScriptFake {
  /** Root URL for `@googleapis/script` (`rootUrl`). */
  rootUrl: string;
  addProject(scriptId: string, project: { files: FakeScriptFile[]; deployments: string[] }): void;
  project(scriptId: string): FakeScriptProject | undefined;
  /** The next requests fail so. */
  failNext(...failures: AppsScriptFailure[]): void;
  /** Versions a project may have (Apps Script: 200). */
  maxVersions: number;
  readonly counts: {
    requests: number;
    contentUpdates: number;
    versionsCreated: number;
    deploymentsCreated: number;
    deploymentUpdates: number;
  };
  /** Bearer tokens of the requests, in order (to check a caller sends a fresh one). */
  readonly bearers: string[];
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1. */
export async function startAppsScriptFake(): Promise<AppsScriptFake> {
  const projects = new Map<string, FakeScriptProject>();
  const failures: AppsScriptFailure[] = [];
  const counts = {
    requests: 0,
    contentUpdates: 0,
    versionsCreated: 0,
    deploymentsCreated: 0,
    deploymentUpdates: 0,
  };
  const bearers: string[] = [];
  let maxVersions = 200;
  const send = (response: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, { "content-type": "application/json; charset=UTF-8" }).end(text);
  };
  const error = (
    response: ServerResponse,
    status: number,
    code: string,
    message: string,
    reason?: string,
  ) =>
    send(response, status, {
      error: {
        code: status,
        message,
        status: code,
        ...(reason
          ? { details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason }] }
          : {}),
      },
    });
  const body = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  };
  const copy = (files: FakeScriptFile[]) => files.map((file) => ({ ...file }));

  const server = createServer(async (request, response) => {
    try {
      counts.requests++;
      const bearer = (request.headers.authorization ?? "").replace(/^Bearer /, "");
      if (!bearer) {
        error(
          response,
          401,
          "UNAUTHENTICATED",
          "Request is missing required authentication credential.",
        );
        return;
      }
      bearers.push(bearer);
      const failure = failures.shift();
      if (failure === "disabled") {
        error(
          response,
          403,
          "PERMISSION_DENIED",
          "User has not enabled the Apps Script API. Enable it by visiting https://script.google.com/home/usersettings then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.",
        );
        return;
      }
      if (failure === "scope") {
        error(
          response,
          403,
          "PERMISSION_DENIED",
          "Request had insufficient authentication scopes.",
          "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        );
        return;
      }
      if (failure === "500") {
        error(response, 500, "INTERNAL", "Internal error encountered.");
        return;
      }
      const url = new URL(request.url ?? "/", "http://fake");
      const match = /^\/v1\/projects\/([^/]+)(\/.*)?$/.exec(url.pathname);
      const project = match ? projects.get(decodeURIComponent(match[1] as string)) : undefined;
      if (!match || project === undefined) {
        error(response, 404, "NOT_FOUND", "Requested entity was not found.");
        return;
      }
      const scriptId = decodeURIComponent(match[1] as string);
      const rest = match[2] ?? "";
      const method = request.method ?? "GET";
      if (rest === "/content" && method === "GET") {
        send(response, 200, { scriptId, files: copy(project.files) });
        return;
      }
      if (rest === "/content" && method === "PUT") {
        const { files = [] } = await body(request);
        if (
          !(files as FakeScriptFile[]).some(
            (file) => file.type === "JSON" && file.name === "appsscript",
          )
        ) {
          error(
            response,
            400,
            "INVALID_ARGUMENT",
            "Project contents must include a manifest file named appsscript.",
          );
          return;
        }
        counts.contentUpdates++;
        project.files = copy(files);
        send(response, 200, { scriptId, files: copy(project.files) });
        return;
      }
      if (rest === "/versions" && method === "POST") {
        if (project.versions.length >= maxVersions) {
          error(response, 400, "FAILED_PRECONDITION", "Maximum number of script versions reached.");
          return;
        }
        const { description = "" } = await body(request);
        const version = {
          versionNumber: (project.versions.at(-1)?.versionNumber ?? 0) + 1,
          description,
          createTime: new Date().toISOString(),
          files: copy(project.files),
        };
        project.versions.push(version);
        counts.versionsCreated++;
        send(response, 200, {
          scriptId,
          versionNumber: version.versionNumber,
          description,
          createTime: version.createTime,
        });
        return;
      }
      if (rest === "/versions" && method === "GET") {
        const size = Number(url.searchParams.get("pageSize") ?? 50);
        const offset = Number(url.searchParams.get("pageToken") ?? 0);
        const page = [...project.versions].reverse().slice(offset, offset + size);
        send(response, 200, {
          versions: page.map(({ files: _files, ...version }) => ({ scriptId, ...version })),
          ...(offset + size < project.versions.length
            ? { nextPageToken: String(offset + size) }
            : {}),
        });
        return;
      }
      if (rest === "/deployments" && method === "POST") {
        counts.deploymentsCreated++;
        error(response, 400, "FAILED_PRECONDITION", "this fake does not create deployments");
        return;
      }
      const deployment = /^\/deployments\/([^/]+)$/.exec(rest);
      if (deployment) {
        const id = decodeURIComponent(deployment[1] as string);
        if (!(id in project.deployments)) {
          error(response, 404, "NOT_FOUND", "Requested entity was not found.");
          return;
        }
        if (method === "PUT") {
          const { deploymentConfig = {} } = await body(request);
          const versionNumber = Number(deploymentConfig.versionNumber);
          if (!project.versions.some((version) => version.versionNumber === versionNumber)) {
            error(response, 400, "INVALID_ARGUMENT", `Version ${versionNumber} does not exist.`);
            return;
          }
          counts.deploymentUpdates++;
          project.deployments[id] = versionNumber;
        }
        const versionNumber = project.deployments[id];
        send(response, 200, {
          deploymentId: id,
          deploymentConfig: {
            scriptId,
            manifestFileName: "appsscript",
            ...(versionNumber === undefined ? {} : { versionNumber }),
          },
          updateTime: new Date().toISOString(),
        });
        return;
      }
      error(response, 404, "NOT_FOUND", `no such method: ${method} ${url.pathname}`);
    } catch (caught) {
      error(response, 500, "INTERNAL", String(caught));
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  return {
    rootUrl: `http://127.0.0.1:${port}/`,
    addProject(scriptId, project) {
      projects.set(scriptId, {
        files: copy(project.files),
        versions: [],
        deployments: Object.fromEntries(project.deployments.map((id) => [id, undefined])),
      });
    },
    project: (scriptId) => projects.get(scriptId),
    failNext(...next) {
      failures.push(...next);
    },
    get maxVersions() {
      return maxVersions;
    },
    set maxVersions(value: number) {
      maxVersions = value;
    },
    counts,
    bearers,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
