// Apps Script deploys with the real @googleapis/script client against the loopback Apps Script API.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAppsScriptApi } from "../src/appsscript/api.js";
import {
  appsScriptReleases,
  deployAppsScript,
  rollbackAppsScript,
} from "../src/appsscript/deploy.js";
import { lintScriptProject, readScriptProject } from "../src/appsscript/project.js";
import { startAppsScriptFake } from "../src/testing/appsscript-fake.js";

const SCRIPT = "1BookingAutomationScriptId";
const DEPLOYMENT = "AKfycbDeployment";
const MANIFEST = JSON.stringify({
  timeZone: "America/Los_Angeles",
  runtimeVersion: "V8",
  exceptionLogging: "STACKDRIVER",
});
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const fake = await startAppsScriptFake();
  const dir = await mkdtemp(join(tmpdir(), "jada-appsscript-"));
  cleanups.push(
    () => fake.close(),
    () => rm(dir, { recursive: true, force: true }),
  );
  fake.addProject(SCRIPT, {
    files: [{ name: "appsscript", type: "JSON", source: MANIFEST }],
    deployments: [DEPLOYMENT],
  });
  await writeFile(join(dir, "appsscript.json"), MANIFEST);
  await writeFile(
    join(dir, "BookingAutomation.gs"),
    "function onFormSubmit(e) {\n  return e.values;\n}\n",
  );
  await mkdir(join(dir, "pages"));
  await writeFile(join(dir, "pages", "Confirm.html"), "<p>Thank you</p>\n");
  let tokens = 0;
  const api = createAppsScriptApi({
    getAccessToken: async () => `ya29.fake-${++tokens}`,
    account: "ops@sailjada.com",
    rootUrl: fake.rootUrl,
  });
  const target = { api, scriptId: SCRIPT, deploymentId: DEPLOYMENT, dir };
  return { fake, dir, api, target };
}

describe("Apps Script deploys", () => {
  it("uploads the project, makes one version, points the pinned deployment at it, and checks the content", async () => {
    const { fake, target } = await setup();
    const result = await deployAppsScript(target);
    expect(result).toMatchObject({
      unchanged: false,
      versionNumber: 1,
      previousVersion: undefined,
      diff: { added: ["BookingAutomation.gs", "pages/Confirm.html"], changed: [], removed: [] },
    });
    const project = fake.project(SCRIPT);
    expect(project?.files.map((file) => [file.name, file.type])).toEqual([
      ["BookingAutomation", "SERVER_JS"],
      ["appsscript", "JSON"],
      ["pages/Confirm", "HTML"],
    ]);
    expect(project?.deployments[DEPLOYMENT]).toBe(1);
    expect(fake.counts).toMatchObject({
      contentUpdates: 1,
      versionsCreated: 1,
      deploymentUpdates: 1,
      deploymentsCreated: 0,
    });
    // Each call asked for a token (a long deploy never runs on an expired one).
    expect(new Set(fake.bearers).size).toBe(fake.bearers.length);
  });

  it("an unchanged project makes no upload and no version; --dry-run shows the diff and writes nothing", async () => {
    const { fake, target, dir } = await setup();
    await deployAppsScript(target);
    const again = await deployAppsScript(target);
    expect(again).toMatchObject({ unchanged: true, versionNumber: 1 });
    expect(fake.counts).toMatchObject({ contentUpdates: 1, versionsCreated: 1 });
    await writeFile(
      join(dir, "BookingAutomation.gs"),
      "function onFormSubmit(e) {\n  return e.namedValues;\n}\n",
    );
    const dry = await deployAppsScript({ ...target, dryRun: true });
    expect(dry).toMatchObject({
      dryRun: true,
      unchanged: false,
      diff: {
        changed: [{ file: "BookingAutomation.gs", linesAdded: 1, linesRemoved: 1 }],
        added: [],
        removed: [],
      },
    });
    expect(fake.counts).toMatchObject({ contentUpdates: 1, versionsCreated: 1 });
  });

  it("rolls the deployment back to the version before, and lists versions with the live one", async () => {
    const { fake, target, dir } = await setup();
    await deployAppsScript(target);
    await writeFile(
      join(dir, "BookingAutomation.gs"),
      "function onFormSubmit(e) {\n  return 2;\n}\n",
    );
    await deployAppsScript(target);
    expect(fake.project(SCRIPT)?.deployments[DEPLOYMENT]).toBe(2);
    expect(await rollbackAppsScript(target)).toEqual({ from: 2, to: 1 });
    expect(fake.project(SCRIPT)?.deployments[DEPLOYMENT]).toBe(1);
    const releases = await appsScriptReleases(target);
    expect(releases.map((release) => [release.versionNumber, release.live])).toEqual([
      [2, false],
      [1, true],
    ]);
    await expect(rollbackAppsScript(target)).rejects.toMatchObject({ code: "NO_RELEASE" });
    expect(await rollbackAppsScript({ ...target, to: 2 })).toEqual({ from: 1, to: 2 });
  });

  it("lints before sending anything: code that does not parse, a manifest Apps Script refuses", async () => {
    const { fake, target, dir } = await setup();
    await writeFile(
      join(dir, "BookingAutomation.gs"),
      "function onFormSubmit(e) {\n  return {{ values }};\n}\n",
    );
    await writeFile(join(dir, "appsscript.json"), JSON.stringify({ runtimeVersion: "V9" }));
    const error = await deployAppsScript(target).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "GATE_FAILED" });
    expect((error as Error).message).toContain(
      "BookingAutomation.gs:2:11 does not parse as JavaScript",
    );
    expect((error as Error).message).toContain('appsscript.json needs "timeZone"');
    expect((error as Error).message).toContain(
      '"runtimeVersion" is "V8" or "DEPRECATED_ES5", not "V9"',
    );
    expect(fake.counts.requests).toBe(0);
    expect(lintScriptProject(await readScriptProject(dir))).toHaveLength(3);
  });

  it("says what to do: the API not enabled, scopes missing, the version cap", async () => {
    const { fake, target, dir } = await setup();
    fake.failNext("disabled", "disabled");
    await expect(deployAppsScript(target)).rejects.toMatchObject({
      code: "APPS_SCRIPT_DISABLED",
      message:
        "the Apps Script API is not enabled for ops@sailjada.com: turn it on at https://script.google.com/home/usersettings, then deploy again",
    });
    // (A fresh fake each: a deploy's two first reads run at once, and the one that did not fail
    // may still be on its way when the next failure is queued.)
    const scoped = await setup();
    scoped.fake.failNext("scope", "scope");
    await expect(deployAppsScript(scoped.target)).rejects.toMatchObject({ code: "SCOPE_MISSING" });
    const capped = await setup();
    capped.fake.maxVersions = 0;
    await expect(deployAppsScript(capped.target)).rejects.toMatchObject({ code: "VERSION_CAP" });
    // The content went up, but no version: the deployment still serves what it did.
    expect(capped.fake.project(SCRIPT)?.deployments[DEPLOYMENT]).toBeUndefined();
    await expect(readScriptProject(join(dir, "missing"))).rejects.toMatchObject({
      code: "SITE_INVALID",
    });
  });
});
