/**
 * `@jada/static-deploy/testing`: real peers for tests of code that deploys, for this package and
 * its users: a moto server (S3 and CloudFront emulator), a fault-injecting proxy to put in front
 * of it (503 SlowDown, 403 AccessDenied) to test retries and errors with the real SDK, and a
 * loopback CloudFront fake that enforces `If-Match` and spells statuses as AWS does (moto does
 * neither); in-memory adapters of the ObjectStore and Cdn ports, and the contract suites that both
 * they and the AWS adapters pass.
 *
 * @packageDocumentation
 */

export {
  type AppsScriptFailure,
  type AppsScriptFake,
  type FakeScriptFile,
  type FakeScriptProject,
  startAppsScriptFake,
} from "./appsscript-fake.js";
export {
  type CloudFrontFake,
  type CloudFrontFakeOptions,
  startCloudFrontFake,
} from "./cloudfront-fake.js";
export { cdnContract, objectStoreContract } from "./contract.js";
export { type Fault, type FaultProxy, startFaultProxy } from "./fault-proxy.js";
export {
  createMemoryCdn,
  createMemoryObjectStore,
  type MemoryCdn,
  type MemoryObject,
  type MemoryObjectStore,
} from "./memory.js";
export {
  createTestBucket,
  createTestDistribution,
  freePort,
  hasMotoServer,
  type MotoServer,
  startMotoForTests,
  startMotoServer,
} from "./moto.js";
