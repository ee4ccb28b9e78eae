// The AWS SDK clients of the commands, built from the standard configuration only.
import type { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import type { LightsailClient } from "@aws-sdk/client-lightsail";
import type { S3Client } from "@aws-sdk/client-s3";
import type { JadaConfig } from "../config/schema.js";

type Env = Readonly<Record<string, string | undefined>>;

/** The AWS SDK clients the daemon's commands use. */
export interface AwsClients {
  s3: S3Client;
  cloudFront: CloudFrontClient;
}

// What every client shares: retries, and credentials from the CLI's environment when it names
// them (so the CLI run in a test or by a supervisor sees its own env, not only process.env);
// otherwise the default provider chain (profile, SSO, instance role).
function common(config: JadaConfig["aws"], env: Env) {
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  const sessionToken = env["AWS_SESSION_TOKEN"];
  return {
    maxAttempts: config.maxAttempts,
    ...(accessKeyId && secretAccessKey
      ? {
          credentials: {
            accessKeyId,
            secretAccessKey,
            ...(sessionToken ? { sessionToken } : {}),
          },
        }
      : {}),
  };
}

/**
 * Builds the S3 and CloudFront clients: credentials and region from the standard configuration
 * (env, profile, SSO, instance role), endpoints from `AWS_ENDPOINT_URL_S3` /
 * `AWS_ENDPOINT_URL_CLOUDFRONT` (or `AWS_ENDPOINT_URL`), and retries with backoff on throttling
 * and 5xx (`aws.maxAttempts`). An S3 endpoint on an IP address or `localhost` gets path-style
 * addressing, since virtual-hosted buckets cannot resolve there.
 */
export async function createAwsClients(config: JadaConfig["aws"], env: Env): Promise<AwsClients> {
  // Loaded on use: the daemon itself never pays for the AWS SDK in memory.
  const [{ CloudFrontClient }, { S3Client }] = await Promise.all([
    import("@aws-sdk/client-cloudfront"),
    import("@aws-sdk/client-s3"),
  ]);
  const s3Endpoint = env["AWS_ENDPOINT_URL_S3"] ?? env["AWS_ENDPOINT_URL"];
  const cloudFrontEndpoint = env["AWS_ENDPOINT_URL_CLOUDFRONT"] ?? env["AWS_ENDPOINT_URL"];
  return {
    s3: new S3Client({
      ...common(config, env),
      ...(config.region ? { region: config.region } : {}),
      ...(s3Endpoint ? { endpoint: s3Endpoint } : {}),
      forcePathStyle: s3Endpoint !== undefined && isLocalEndpoint(s3Endpoint),
    }),
    // CloudFront is global; its API lives in us-east-1.
    cloudFront: new CloudFrontClient({
      ...common(config, env),
      region: "us-east-1",
      ...(cloudFrontEndpoint ? { endpoint: cloudFrontEndpoint } : {}),
    }),
  };
}

/** A Lightsail client for a region (default `aws.region`, then the provider chain's). */
export async function createLightsailClient(
  config: JadaConfig["aws"],
  env: Env,
  region?: string | undefined,
): Promise<LightsailClient> {
  const { LightsailClient } = await import("@aws-sdk/client-lightsail");
  const endpoint = env["AWS_ENDPOINT_URL_LIGHTSAIL"] ?? env["AWS_ENDPOINT_URL"];
  const chosen = region ?? config.region;
  return new LightsailClient({
    ...common(config, env),
    ...(chosen ? { region: chosen } : {}),
    ...(endpoint ? { endpoint } : {}),
  });
}

function isLocalEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === "localhost" || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith("[");
  } catch {
    return false;
  }
}
