import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { S3Client } from "@aws-sdk/client-s3";
import type { JadaConfig } from "./config/schema.js";

/** The AWS SDK clients the daemon's commands use. */
export interface AwsClients {
  s3: S3Client;
  cloudFront: CloudFrontClient;
}

/**
 * Builds the AWS clients from the standard configuration only: credentials and region from the
 * default provider chain (env, profile, SSO, instance role), endpoints from
 * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_CLOUDFRONT` (read by the SDK itself), and retries
 * with backoff on throttling and 5xx (`aws.maxAttempts`). An S3 endpoint on an IP address or
 * `localhost` gets path-style addressing, since virtual-hosted buckets cannot resolve there.
 */
export async function createAwsClients(
  config: JadaConfig["aws"],
  env: Readonly<Record<string, string | undefined>>,
): Promise<AwsClients> {
  // Loaded on use: the daemon itself never pays for the AWS SDK in memory.
  const [{ CloudFrontClient }, { S3Client }] = await Promise.all([
    import("@aws-sdk/client-cloudfront"),
    import("@aws-sdk/client-s3"),
  ]);
  const s3Endpoint = env["AWS_ENDPOINT_URL_S3"] ?? env["AWS_ENDPOINT_URL"];
  return {
    s3: new S3Client({
      ...(config.region ? { region: config.region } : {}),
      maxAttempts: config.maxAttempts,
      forcePathStyle: s3Endpoint !== undefined && isLocalEndpoint(s3Endpoint),
    }),
    // CloudFront is global; its API lives in us-east-1.
    cloudFront: new CloudFrontClient({ region: "us-east-1", maxAttempts: config.maxAttempts }),
  };
}

function isLocalEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === "localhost" || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith("[");
  } catch {
    return false;
  }
}
