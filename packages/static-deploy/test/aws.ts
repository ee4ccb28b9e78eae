// Real AWS SDK clients pointed at the loopback moto server, and fixtures built through them.
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { S3Client } from "@aws-sdk/client-s3";
import { inject } from "vitest";

export {
  createTestBucket as newBucket,
  createTestDistribution as newDistribution,
} from "../src/testing/moto.js";

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };

/** The moto endpoint, or undefined (then the caller skips, and setup said why). */
export function motoEndpoint(): string | undefined {
  return inject("motoEndpoint");
}

export function s3Client(endpoint: string, maxAttempts = 3): S3Client {
  return new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials,
    maxAttempts,
  });
}

export function cloudFrontClient(endpoint: string): CloudFrontClient {
  return new CloudFrontClient({ region: "us-east-1", endpoint, credentials, maxAttempts: 3 });
}

/** A CloudFront client for the loopback CloudFront fake (no retries: the fake answers at once). */
export function fakeCloudFrontClient(endpoint: string): CloudFrontClient {
  return new CloudFrontClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
    maxAttempts: 1,
  });
}
