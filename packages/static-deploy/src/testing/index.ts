/**
 * `@jada/static-deploy/testing`: real peers for tests of code that deploys, for this package and
 * its users: a moto server (S3 and CloudFront emulator) and a fault-injecting proxy to put in
 * front of it (503 SlowDown, 403 AccessDenied) to test retries and errors with the real SDK.
 *
 * @packageDocumentation
 */
export { type Fault, type FaultProxy, startFaultProxy } from "./fault-proxy.js";
export { freePort, hasMotoServer, type MotoServer, startMotoServer } from "./moto.js";
