// `jada deploy|rollback|releases` of an Apps Script site (queenofsandiego.com's booking
// automation), the built binary as a subprocess: the token from the store (the loopback Google),
// the real @googleapis/script client against the loopback Apps Script API.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";
import { type AppsScriptFake, startAppsScriptFake } from "@jada/static-deploy/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeGoogle, writeGoogleSetup } from "./consent.js";
import { runJadaProcess } from "./run-jada.js";

const SCRIPT = "1QueenBookingAutomationScript";
const DEPLOYMENT = "AKfycbQueenBooking";
const ACCOUNT = "ops@sailjada.com";
const MANIFEST = JSON.stringify({ timeZone: "America/Los_Angeles", runtimeVersion: "V8" });
let root: string;
let google: GoogleFake;
let script: AppsScriptFake;

const jada = (args: string[]) => runJadaProcess(args, { cwd: root });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "jada-appsscript-cli-"));
  google = await startGoogleFake();
  script = await startAppsScriptFake();
  await writeGoogleSetup(root, google, {
    extra: {
      sites: {
        "queen-booking": {
          kind: "appsscript",
          scriptId: SCRIPT,
          deploymentId: DEPLOYMENT,
          dir: "booking",
          account: ACCOUNT,
        },
      },
    },
  });
  const config = JSON.parse(await readFile(join(root, "jada.config.json"), "utf8"));
  config.google.oauth.scriptUrl = script.rootUrl;
  await writeFile(join(root, "jada.config.json"), JSON.stringify(config));
  const auth = await authorizeGoogle(ACCOUNT, { cwd: root });
  if (auth.code !== 0) throw new Error(`consent failed: ${auth.stderr}`);
  script.addProject(SCRIPT, {
    files: [{ name: "appsscript", type: "JSON", source: MANIFEST }],
    deployments: [DEPLOYMENT],
  });
  await mkdir(join(root, "booking"));
  await writeFile(join(root, "booking", "appsscript.json"), MANIFEST);
  await writeFile(
    join(root, "booking", "BookingAutomation.gs"),
    "function onFormSubmit(e) {\n  MailApp.sendEmail('ops@sailjada.com', 'Booking', JSON.stringify(e.values));\n}\n",
  );
});
afterAll(async () => {
  await script?.close();
  await google?.close();
  await rm(root, { recursive: true, force: true });
});

describe("jada deploy of an Apps Script site", () => {
  it("deploys, then says unchanged; a change shows in --dry-run, then deploys as the next version", async () => {
    const first = await jada(["deploy", "queen-booking"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^deployed queen-booking \(Apps Script 1QueenBookingAutomationScript\): version 1 on deployment AKfycbQueenBooking; content read back, hash [0-9a-f]{12}\n {2}\+ BookingAutomation\.gs\n$/,
    );
    const again = await jada(["deploy", "queen-booking"]);
    expect(again.stdout).toBe(
      `queen-booking (Apps Script ${SCRIPT}): unchanged; deployment ${DEPLOYMENT} still serves version 1, no version made\n`,
    );
    expect(script.counts).toMatchObject({ versionsCreated: 1, deploymentsCreated: 0 });

    await writeFile(
      join(root, "booking", "BookingAutomation.gs"),
      "function onFormSubmit(e) {\n  MailApp.sendEmail('bookings@sailjada.com', 'Booking', JSON.stringify(e.values));\n}\n",
    );
    const dry = await jada(["deploy", "queen-booking", "--dry-run"]);
    expect(dry.stdout).toBe(
      `queen-booking (Apps Script ${SCRIPT}), dry run: 1 files differ from the live content; deployment ${DEPLOYMENT} serves version 1\n  ~ BookingAutomation.gs (+1 -1 lines)\n`,
    );
    expect(script.counts.contentUpdates).toBe(1);
    const second = await jada(["deploy", "queen-booking", "--json"]);
    expect(JSON.parse(second.stdout)).toMatchObject({ versionNumber: 2, previousVersion: 1 });
  });

  it("lists versions with the live one, and rolls back to the one before", async () => {
    const releases = await jada(["releases", "queen-booking"]);
    expect(releases.code).toBe(0);
    expect(releases.stdout).toMatch(
      /^ +VERSION +CREATED +DESCRIPTION\n\* +2 .*jada deploy .*\n +1 /,
    );
    const rollback = await jada(["rollback", "queen-booking"]);
    expect(rollback).toMatchObject({
      code: 0,
      stdout: `rolled queen-booking back: deployment ${DEPLOYMENT} serves version 1 (was 2)\n`,
    });
    expect(script.project(SCRIPT)?.deployments[DEPLOYMENT]).toBe(1);
    expect((await jada(["rollback", "queen-booking", "--to", "x"])).code).toBe(2);
  });

  it("says how to fix it: the API off, the scopes missing (exit 2), sources that do not parse (exit 1)", async () => {
    await writeFile(join(root, "booking", "Extra.gs"), "function broken( {\n");
    const lint = await jada(["deploy", "queen-booking"]);
    expect(lint.code).toBe(1);
    expect(lint.stderr).toContain(
      "  Extra.gs:2:1 does not parse as JavaScript: Unexpected token\n",
    );
    expect(script.counts.contentUpdates).toBe(2);
    await rm(join(root, "booking", "Extra.gs"));

    script.failNext("disabled", "disabled");
    const disabled = await jada(["deploy", "queen-booking"]);
    expect(disabled.code).toBe(2);
    expect(disabled.stderr).toBe(
      `jada: the Apps Script API is not enabled for ${ACCOUNT}: turn it on at https://script.google.com/home/usersettings, then deploy again\n`,
    );
    script.failNext("scope", "scope");
    const scope = await jada(["releases", "queen-booking"]);
    expect(scope.code).toBe(2);
    expect(scope.stderr).toContain(
      `\nfix: jada auth google --account ${ACCOUNT} --scopes https://www.googleapis.com/auth/spreadsheets,https://www.googleapis.com/auth/script.projects,https://www.googleapis.com/auth/script.deployments\n`,
    );
  });
});
