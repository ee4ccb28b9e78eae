import { GoogleTokenError } from "@jada/google-token";
import { OrchestratorError } from "@jada/orchestrator";
import { StaticDeployError } from "@jada/static-deploy";
import { describe, expect, it } from "vitest";
import { JadaCliError } from "../errors.js";
import { toCliError } from "./errors.js";

describe("the error table", () => {
  it("gives each library's errors an exit code, and their fix in jada's words", () => {
    const revoked = toCliError(
      new GoogleTokenError("INVALID_GRANT", "ops@sailjada.com: the refresh token was revoked", {
        remedy: { action: "reconsent", account: "ops@sailjada.com" },
      }),
    );
    expect(revoked).toMatchObject({
      exitCode: 2,
      message:
        "ops@sailjada.com: the refresh token was revoked\nfix: jada auth google --account ops@sailjada.com",
    });
    const gate = toCliError(
      new StaticDeployError("GATE_FAILED", "promote of s stopped at the lint gate", {
        path: "/srv/site",
      }),
    );
    expect(gate).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/\nfix: jada lint \/srv\/site$/),
    });
    const behind = toCliError(
      new OrchestratorError("STORE_FAILED", "the schema is behind", { remedy: "migrate" }),
    );
    expect(behind?.message).toMatch(/^the schema is behind\nfix: jada migrate/);
  });

  it("finds an AWS setup problem behind a library's wrapper, and overrides the exit code", () => {
    const credentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    const wrapped = new StaticDeployError("CREDENTIALS_MISSING", "listing s3://b failed", {
      cause: credentials,
    });
    expect(toCliError(wrapped, 3)).toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/^no AWS credentials found\nfix: set AWS_PROFILE/),
    });
    expect(toCliError(new JadaCliError("USAGE", "bad"), 3)?.exitCode).toBe(3);
  });

  it("leaves a bug a bug: an error no table row knows is not a user error", () => {
    expect(toCliError(new TypeError("undefined is not a function"))).toBeUndefined();
    expect(toCliError("a string")).toBeUndefined();
  });
});
