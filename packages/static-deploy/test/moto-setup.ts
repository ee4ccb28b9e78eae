// Vitest global setup: a real moto_server (S3 and CloudFront emulator) on 127.0.0.1 for the
// tests against AWS. Missing moto fails the run when CI=true, and skips those tests locally
// with a message that names it.

import type { TestProject } from "vitest/node";
import { startMotoForTests } from "../src/testing/moto.js";

declare module "vitest" {
  export interface ProvidedContext {
    motoEndpoint: string | undefined;
  }
}

let stop: (() => Promise<void>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  const moto = await startMotoForTests({ ci: process.env["CI"] === "true", label: project.name });
  stop = moto.stop;
  project.provide("motoEndpoint", moto.endpoint);
}

export async function teardown(): Promise<void> {
  await stop?.();
}
