// Real AWS SDK clients pointed at the loopback moto server, and fixtures built through them.
import { randomBytes } from "node:crypto";
import { CloudFrontClient, CreateDistributionCommand } from "@aws-sdk/client-cloudfront";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { inject } from "vitest";

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

/** A new bucket with a unique name. */
export async function newBucket(s3: S3Client): Promise<string> {
  const bucket = `site-${randomBytes(6).toString("hex")}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** A new distribution in front of a bucket; returns its id. */
export async function newDistribution(
  cloudFront: CloudFrontClient,
  bucket: string,
  originPath = "",
): Promise<string> {
  const result = await cloudFront.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: randomBytes(8).toString("hex"),
        Comment: "jada test",
        Enabled: true,
        DefaultCacheBehavior: {
          TargetOriginId: "site",
          ViewerProtocolPolicy: "redirect-to-https",
          ForwardedValues: { QueryString: false, Cookies: { Forward: "none" } },
          MinTTL: 0,
          TrustedSigners: { Enabled: false, Quantity: 0 },
        },
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: "site",
              DomainName: `${bucket}.s3.amazonaws.com`,
              OriginPath: originPath,
              S3OriginConfig: { OriginAccessIdentity: "" },
            },
          ],
        },
      },
    }),
  );
  const id = result.Distribution?.Id;
  if (id === undefined) throw new Error("moto created no distribution");
  return id;
}
