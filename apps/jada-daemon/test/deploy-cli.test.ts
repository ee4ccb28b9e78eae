// `jada deploy`, `jada releases` and `jada rollback` as a user runs them: the built binary as a
// subprocess, configured by jada.config.json and the standard AWS environment, against moto.
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudFrontClient, GetDistributionConfigCommand } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";
import { createTestBucket, createTestDistribution } from "@jada/static-deploy/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const endpoint = inject("motoEndpoint");
if (endpoint === undefined)
  console.warn("[daemon] jada deploy tests skipped: moto_server is not on PATH");
const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };

describe.skipIf(endpoint === undefined)("jada deploy against moto", () => {
  let root: string;
  let bucket: string;
  let distributionId: string;
  let cloudFront: CloudFrontClient;
  const awsEnv = () => ({
    AWS_ENDPOINT_URL_S3: endpoint as string,
    AWS_ENDPOINT_URL_CLOUDFRONT: endpoint as string,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: "us-east-1",
  });

  function jada(args: string[], env: Record<string, string> = awsEnv()) {
    const result = spawnSync(process.execPath, [bin, ...args], {
      cwd: root,
      // No instance metadata lookups: a missing credential must fail at once.
      env: {
        PATH: process.env["PATH"] ?? "",
        AWS_EC2_METADATA_DISABLED: "true",
        HOME: root,
        ...env,
      },
      encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  const originPath = async () =>
    (await cloudFront.send(new GetDistributionConfigCommand({ Id: distributionId })))
      .DistributionConfig?.Origins?.Items?.[0]?.OriginPath;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "jada-deploy-cli-"));
    const s3 = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials });
    cloudFront = new CloudFrontClient({ region: "us-east-1", endpoint, credentials });
    bucket = await createTestBucket(s3);
    distributionId = await createTestDistribution(cloudFront, bucket);
    await mkdir(join(root, "site", "about"), { recursive: true });
    await writeFile(join(root, "site", "index.html"), "<p>Home</p>");
    await writeFile(join(root, "site", "about", "index.html"), "<p>About</p>");
    await writeFile(
      join(root, "jada.config.json"),
      JSON.stringify({
        sites: {
          sailjada: { dir: "site", mode: "atomic", production: { bucket, distributionId } },
          broken: { dir: "nowhere", production: { bucket, distributionId } },
          gated: {
            dir: "site",
            staging: { bucket, distributionId, url: "http://127.0.0.1:9/" },
            production: { bucket, distributionId },
          },
        },
      }),
    );
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("deploys, redeploys nothing, lists releases and rolls back", async () => {
    const first = jada(["deploy", "sailjada", "--json"]);
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toMatchObject({
      site: "sailjada",
      stage: "production",
      uploaded: ["about/index.html", "index.html"],
      deleted: [],
      unchanged: 0,
    });
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining([
        "site",
        "stage",
        "release",
        "uploaded",
        "copied",
        "deleted",
        "unchanged",
        "bytes",
        "invalidation",
      ]),
    );
    expect(result.invalidation.paths).toContain("/about/");
    expect(first.stderr).toContain("upload index.html"); // plain progress lines when not a TTY
    expect(await originPath()).toBe(`/releases/${result.release}`);

    await writeFile(join(root, "site", "index.html"), "<p>Home, again</p>");
    const second = JSON.parse(jada(["deploy", "sailjada", "--json"]).stdout);
    expect(second.uploaded).toEqual(["index.html"]);
    expect(second.copied).toEqual(["about/index.html"]);

    const same = jada(["deploy", "sailjada"]);
    expect(same.code).toBe(0);
    expect(same.stdout).toBe(
      `sailjada production is up to date (release ${second.release}, 2 files); nothing to do\n`,
    );

    await writeFile(join(root, "site", "about", "index.html"), "<p>About us</p>");
    const human = jada(["deploy", "sailjada", "--dry-run"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("would deploy sailjada to production (atomic");
    expect(human.stdout).toContain("    upload about/index.html");

    const releases = jada(["releases", "sailjada", "--json"]);
    const list = JSON.parse(releases.stdout);
    expect(
      list.map((release: { id: string; live: boolean }) => [release.id, release.live]),
    ).toEqual([
      [second.release, true],
      [result.release, false],
    ]);
    expect(jada(["releases", "sailjada"]).stdout).toMatch(new RegExp(`\\* +${second.release}`));

    const back = jada(["rollback", "sailjada"]);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`back to ${result.release}`);
    expect(await originPath()).toBe(`/releases/${result.release}`);
  });

  it("stops a promote at the lint gate with exit 1, production untouched", async () => {
    const before = await originPath();
    await writeFile(join(root, "site", "widget.html"), "<script>var data = {{ json }};</script>");
    try {
      const { code, stderr } = jada(["deploy", "gated", "--promote"]);
      expect(code).toBe(1);
      expect(stderr).toContain("stopped at the lint gate");
      expect(stderr).toContain("production was not touched");
      // The fix in jada's words: the whole lint report of the site.
      expect(stderr).toMatch(/\nfix: jada lint \/.*\/site\n$/);
      expect(await originPath()).toBe(before);
    } finally {
      await rm(join(root, "site", "widget.html"));
    }
  });

  it("rejects bad input with exit 2 and one clear message", () => {
    const cases: Array<[string[], Record<string, string> | undefined, string]> = [
      [
        ["deploy", "nope"],
        undefined,
        'unknown site "nope": configured sites are sailjada, broken, gated',
      ],
      [["deploy", "broken"], undefined, "site directory"],
      [["deploy", "sailjada", "--stage", "staging"], undefined, "has no staging target"],
      [["deploy", "sailjada", "--delete"], undefined, "--delete applies to sync mode"],
      [
        ["deploy", "sailjada"],
        {
          AWS_REGION: "us-east-1",
          AWS_ENDPOINT_URL_S3: endpoint as string,
          AWS_ENDPOINT_URL_CLOUDFRONT: endpoint as string,
        },
        "no AWS credentials found\nfix: set AWS_PROFILE",
      ],
      [
        ["releases", "sailjada"],
        {
          AWS_ENDPOINT_URL_S3: endpoint as string,
          AWS_ENDPOINT_URL_CLOUDFRONT: endpoint as string,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        },
        'jada: no AWS region set\nfix: set aws.region in jada.config.json (for example "us-west-2"), or AWS_REGION\n',
      ],
    ];
    for (const [args, env, message] of cases) {
      const { code, stderr } = jada(args, env ?? awsEnv());
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toContain(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});
