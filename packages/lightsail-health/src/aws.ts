/**
 * `@jada/lightsail-health/aws`: the `LightsailApi` adapter over `@aws-sdk/client-lightsail`
 * (an optional peer dependency: install it to use this entry).
 *
 * @packageDocumentation
 */
export { createLightsailApi } from "./adapters/aws.js";
