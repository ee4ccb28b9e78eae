// The LightsailApi port over @aws-sdk/client-lightsail. The client is built by the caller:
// credentials from the default provider chain, AWS_ENDPOINT_URL_LIGHTSAIL honored by the SDK.
import {
  GetInstanceAccessDetailsCommand,
  type GetInstanceAccessDetailsCommandOutput,
  GetInstanceMetricDataCommand,
  type LightsailClient,
} from "@aws-sdk/client-lightsail";
import { HealthError } from "../errors.js";
import type { AccessDetails, LightsailApi } from "../types.js";

/**
 * A {@link LightsailApi} over the AWS SDK.
 *
 * @example
 * ```ts
 * import { LightsailClient } from "@aws-sdk/client-lightsail";
 * const api = createLightsailApi(new LightsailClient({ region: "us-west-2" }));
 * ```
 */
export function createLightsailApi(client: LightsailClient): LightsailApi {
  return {
    async getAccessDetails(instanceName): Promise<AccessDetails> {
      let details: GetInstanceAccessDetailsCommandOutput;
      try {
        details = await client.send(
          new GetInstanceAccessDetailsCommand({ instanceName, protocol: "ssh" }),
        );
      } catch (error) {
        throw new HealthError(
          "ACCESS_FAILED",
          `Lightsail refused temporary access to ${instanceName}: ${describe(error)}`,
          { cause: error },
        );
      }
      const { username, ipAddress, privateKey, certKey, expiresAt, hostKeys } =
        details.accessDetails ?? {};
      if (!username || !ipAddress || !privateKey || !certKey || !expiresAt) {
        throw new HealthError(
          "ACCESS_FAILED",
          `Lightsail returned incomplete access details for ${instanceName} (is the instance running, with a public IP?)`,
        );
      }
      const keys = (hostKeys ?? [])
        .filter((key) => key.algorithm && key.publicKey)
        .map((key) => ({ algorithm: key.algorithm as string, publicKey: key.publicKey as string }));
      if (keys.length === 0) {
        throw new HealthError(
          "ACCESS_FAILED",
          `Lightsail reported no host keys for ${instanceName}: refusing to trust the host on first use`,
        );
      }
      return {
        username,
        address: ipAddress,
        privateKey,
        certificate: certKey,
        expiresAt,
        hostKeys: keys,
      };
    },

    async getMetricData(instanceName, query) {
      try {
        const result = await client.send(
          new GetInstanceMetricDataCommand({
            instanceName,
            metricName: query.metric,
            period: query.period,
            startTime: query.start,
            endTime: query.end,
            unit: query.unit as never,
            statistics: query.statistics,
          }),
        );
        return (result.metricData ?? []).map((point) => ({
          time: point.timestamp?.getTime() ?? 0,
          average: point.average,
          maximum: point.maximum,
          sum: point.sum,
        }));
      } catch (error) {
        throw new HealthError("METRICS_FAILED", `${query.metric}: ${describe(error)}`, {
          cause: error,
        });
      }
    },
  };
}

function describe(error: unknown): string {
  const name = (error as { name?: string })?.name;
  const message = (error as Error)?.message;
  return [name, message].filter(Boolean).join(": ") || String(error);
}
