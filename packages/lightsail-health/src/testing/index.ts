/**
 * `@jada/lightsail-health/testing`: real peers for tests of health checks: a loopback Lightsail
 * API (JSON 1.1, for the real `@aws-sdk/client-lightsail`) that issues CA-signed temporary
 * certificates, and a real OpenSSH server on 127.0.0.1 that trusts that CA.
 *
 * @packageDocumentation
 */
export {
  type FakeInstance,
  type LightsailFake,
  type LightsailFakeOptions,
  startLightsailFake,
} from "./lightsail-fake.js";
export { generateKey, signUserKey } from "./ssh-keys.js";
export { canRunSshd, SSHD_PATH, startTestSshd, type TestSshd } from "./sshd.js";
