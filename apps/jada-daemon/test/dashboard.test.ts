/// <reference lib="dom" />
// The dashboard in a real Chromium (playwright-core driving Debian's chromium) against the built
// `jada daemon`, with the real token store and the loopback Google: live updates, filters kept
// in the URL, retry and cancel by keyboard alone, a failing job's fix, a cross-origin form
// refused, read-only mode and the token. Every page is checked with axe-core and saved as a
// screenshot under test-results/dashboard/.
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";
import axe from "axe-core";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium } from "./chromium.js";
import { authorizeGoogle, writeGoogleSetup } from "./consent.js";
import { type DaemonProcess, startDaemon } from "./daemon-process.js";
import { runJada } from "./run-jada.js";

const ACCOUNT = "ops@sailjada.com";
const TOKEN = "dashboard-token-4f9d2c7e1a";
const shots = fileURLToPath(new URL("../test-results/dashboard/", import.meta.url));
const browserPath = findChromium().path;

let root: string;
let env: Record<string, string>;
let google: GoogleFake;
let jada: DaemonProcess;
let browser: Browser;

describe.skipIf(browserPath === undefined)("the dashboard in Chromium", () => {
  beforeAll(async () => {
    await mkdir(shots, { recursive: true });
    root = await mkdtemp(join(tmpdir(), "jada-dashboard-"));
    google = await startGoogleFake();
    await writeGoogleSetup(root, google, {
      extra: { http: { port: 0 }, jobs: { "self-check": { enabled: false } } },
    });
    env = { JADA_DATA_DIR: join(root, "data") };
    const auth = await authorizeGoogle(ACCOUNT, { cwd: root, env });
    if (auth.code !== 0) throw new Error(auth.stderr);
    jada = await startDaemon(root, env);
    browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox"] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await jada?.stop();
    await google?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("shows a task added with the CLI on the overview without a reload", async () => {
    const page = await browser.newPage();
    await page.goto(jada.url);
    expect(await page.title()).toBe("Overview · jada");
    await live(page);
    await page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });
    await page.getByRole("link", { name: "0 pending" }).waitFor();
    await jadaCli(["task", "add", "Deploy queenofsandiego"]);
    await page.getByRole("link", { name: "1 pending" }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(
      true,
    );
    await page.getByText("Sessions today").waitFor();
    await check(page, "overview");
    await page.close();
  });

  it("filters by keyboard, keeps the filter across a reload, and cancels and retries by keyboard alone", async () => {
    await jadaCli(["task", "add", "Deploy staging of the booking widget"]);
    await jadaCli(["task", "add", "Check the tokens"]);
    const page = await browser.newPage();
    await page.goto(jada.url);
    await tabTo(page, (el) => el.text === "Tasks");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/tasks$/);
    await tabTo(page, (el) => el.id === "f-status");
    await page.keyboard.type("pending");
    await page.keyboard.press("Tab");
    await page.keyboard.type("deploy");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/tasks\?status=pending&q=deploy$/);
    await page.reload();
    expect(await page.locator("#f-status").inputValue()).toBe("pending");
    expect(await page.locator("#f-q").inputValue()).toBe("deploy");
    const titles = await page.locator("#live tbody tr td:first-child a").allTextContents();
    expect(titles.sort()).toEqual([
      "Deploy queenofsandiego",
      "Deploy staging of the booking widget",
    ]);
    await check(page, "tasks-filtered");

    await tabTo(page, (el) => el.label === "Cancel Deploy queenofsandiego");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    await page.locator("#live .badge", { hasText: "cancelled" }).first().waitFor();
    const id = page.url().split("/").at(-1) as string;
    expect(await taskStatus(id)).toBe("cancelled");
    await tabTo(page, (el) => el.label === "Retry Deploy queenofsandiego");
    await page.keyboard.press("Enter");
    await page.locator("#live .badge", { hasText: "pending" }).first().waitFor();
    expect(await taskStatus(id)).toBe("pending");
    await check(page, "task");
    await page.close();
  });

  it("runs a job from the page; its failure shows with the command that fixes it", async () => {
    google.queueRefresh("invalid_grant");
    const page = await browser.newPage();
    await page.goto(`${jada.url}/jobs`);
    await live(page);
    await page.getByRole("button", { name: "Run now tokens-check" }).click();
    await page.waitForURL(/\/jobs\/tokens-check$/);
    const fix = `jada auth google --account ${ACCOUNT}`;
    await page.locator(".fix code", { hasText: fix }).first().waitFor();
    await check(page, "job");
    await page.goto(`${jada.url}/jobs`);
    await page.getByText("1 in a row").waitFor();
    await check(page, "jobs");
    await page.goto(`${jada.url}/alerts`);
    await page.locator(".fix code", { hasText: fix }).first().waitFor();
    await check(page, "alerts");
    await page.getByRole("button", { name: "Acknowledge the alert of tokens-check" }).click();
    await page
      .getByText(/acknowledged/)
      .first()
      .waitFor();
    // Tokens: the dead account and its fix, and not one secret of the store.
    await page.goto(`${jada.url}/tokens`);
    await page
      .locator("tr", { hasText: ACCOUNT })
      .locator(".badge", { hasText: "revoked" })
      .waitFor();
    const html = await page.content();
    for (const secret of await storeSecrets()) expect(html).not.toContain(secret);
    await check(page, "tokens");
    await page.close();
  });

  it("refuses a form posted from another site, and the task stays as it was", async () => {
    const listed = JSON.parse(
      (await runJada(["task", "list", "--json"], { cwd: root, env })).stdout,
    ) as Array<{ id: string; status: string }>;
    const target = listed.find((task) => task.status === "pending");
    if (target === undefined) throw new Error("no pending task");
    // Even with the right CSRF token: the Origin is another site's.
    const { csrf } = (await (await fetch(`${jada.url}/api/session`)).json()) as { csrf: string };
    const evil = createServer((_, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(
        `<form id="f" method="post" action="${jada.url}/tasks/${target.id}/cancel"><input name="csrf" value="${csrf}"></form><script>document.getElementById("f").submit()</script>`,
      );
    });
    evil.listen(0, "127.0.0.1");
    await once(evil, "listening");
    const page = await browser.newPage();
    try {
      const refused = page.waitForResponse((response) => response.url().includes("/cancel"));
      await page.goto(`http://localhost:${(evil.address() as { port: number }).port}/`);
      expect((await refused).status()).toBe(403);
      await page.getByText(/cross-origin request from http:\/\/localhost:\d+ refused/).waitFor();
      expect(await taskStatus(target.id)).toBe("pending");
    } finally {
      await page.close();
      evil.close();
    }
  });

  it("read-only with a token: a wrong token gets 401, the actions are gone and refused", async () => {
    const dir = await mkdtemp(join(root, "readonly-"));
    await writeFile(
      join(dir, "jada.config.json"),
      JSON.stringify({
        http: { port: 0, readOnly: true, token: TOKEN },
        jobs: { "self-check": { enabled: false }, "tokens-check": { enabled: false } },
      }),
    );
    const readOnly = await startDaemon(dir, env);
    const page = await browser.newPage();
    try {
      expect((await page.goto(readOnly.url))?.status()).toBe(401);
      await page.getByText(/a token is needed/).waitFor();
      expect((await page.goto(`${readOnly.url}/?token=wrong`))?.status()).toBe(401);
      const opened = await page.goto(`${readOnly.url}/tasks?token=${TOKEN}`);
      expect(opened?.status()).toBe(200);
      expect(page.url()).toBe(`${readOnly.url}/tasks`);
      await page.getByRole("link", { name: "Deploy queenofsandiego" }).waitFor();
      expect(await page.getByRole("button", { name: /^(Cancel|Retry) / }).count()).toBe(0);
      const refused = await page.evaluate(async () => {
        const session = (await (await fetch("/api/session")).json()) as { csrf: string };
        const tasks = (await (await fetch("/api/tasks")).json()) as {
          tasks: Array<{ id: string }>;
        };
        const response = await fetch(`/api/tasks/${tasks.tasks[0]?.id}/cancel`, {
          method: "POST",
          headers: { "x-csrf-token": session.csrf },
        });
        return { status: response.status, body: (await response.json()) as { error: string } };
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatch(/read-only/);
      await check(page, "tasks-read-only");
    } finally {
      await page.close();
      await readOnly.stop();
    }
    expect(JSON.stringify(readOnly.lines)).not.toContain(TOKEN);
  });
});

async function jadaCli(args: string[]) {
  const run = await runJada(args, { cwd: root, env });
  if (run.code !== 0) throw new Error(run.stderr);
  return run;
}

async function taskStatus(id: string): Promise<string> {
  const run = await jadaCli(["task", "show", id, "--json"]);
  return (JSON.parse(run.stdout) as { status: string }).status;
}

// The page says its live updates are on (the stream is open and its baseline taken).
async function live(page: Page) {
  await page.locator("#live-status", { hasText: "updates: live" }).waitFor();
}

// Presses Tab until the focused element matches (at most 60 times): what a keyboard user does.
async function tabTo(
  page: Page,
  matches: (element: { id: string; text: string; label: string }) => boolean,
) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      return {
        id: element?.id ?? "",
        text: element?.textContent?.trim() ?? "",
        label: element?.getAttribute("aria-label") ?? "",
      };
    });
    if (matches(focused)) return;
  }
  throw new Error("no focusable element matched within 60 presses of Tab");
}

// axe-core on the page (no serious or critical violation), and a screenshot.
async function check(page: Page, name: string) {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: {
          run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>;
        };
      }
    ).axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  expect(
    violations.filter((v) => v.impact === "serious" || v.impact === "critical"),
    name,
  ).toEqual([]);
}

// Every secret the token store holds (refresh and access tokens), to look for in the pages.
async function storeSecrets(): Promise<string[]> {
  const store = JSON.parse(await readFile(join(root, "state", "google-tokens.json"), "utf8")) as {
    accounts: Record<string, { refreshToken?: string; accessToken?: string }>;
  };
  const secrets = Object.values(store.accounts).flatMap((account) => [
    account.refreshToken,
    account.accessToken,
  ]);
  return [
    ...secrets.filter((s): s is string => typeof s === "string" && s.length > 8),
    "GOCSPX-test",
  ];
}
