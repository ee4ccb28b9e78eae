// Vitest global setup: a real moto_server (S3 and CloudFront emulator) on 127.0.0.1 for the
// deploy tests. Missing moto fails the run when CI=true, and skips those tests locally with a
// message that names it.
import type { TestProject } from "vitest/node";
import { hasMotoServer, type MotoServer, startMotoServer } from "../src/testing/moto.js";

declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string | undefined;
  }
}

let moto: MotoServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (!hasMotoServer()) {
    const message = "moto_server (the S3/CloudFront emulator) is not on PATH";
    if (process.env["CI"] === "true") throw new Error(`${message}: the deploy tests need it in CI`);
    console.warn(`\n[${project.name}] ${message}: skipping the tests against moto\n`);
    project.provide("motoEndpoint", undefined);
    return;
  }
  moto = await startMotoServer();
  project.provide("motoEndpoint", moto.endpoint);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}
