/**
 * `@jada/orchestrator/testing`: the contract suite every `TaskStore` adapter must pass (run it
 * from a vitest file with a factory of fresh stores), and a manual clock.
 *
 * @packageDocumentation
 */
export { type ContractStoreOptions, manualClock, taskStoreContract } from "./contract.js";
export { jobStoreContract } from "./job-contract.js";
export {
  type FakeReply,
  type FakeRequest,
  type MessagesFake,
  startMessagesFake,
} from "./messages-fake.js";
export {
  dropTestSchema,
  postgresAvailable,
  TEST_DATABASE_URL,
  testSchemaName,
} from "./postgres.js";
export { type StepAgentOptions, stepAgent } from "./step-agent.js";
