// Adapters of the ObjectStore and Cdn ports over the AWS SDK v3. They take already-built
// clients: credentials, region, endpoints (AWS_ENDPOINT_URL_S3 / _CLOUDFRONT) and retry policy
// are the caller's, read by the SDK's default provider chain.
import { createReadStream, readFileSync } from "node:fs";
import {
  type CloudFrontClient,
  CreateInvalidationCommand,
  type DistributionConfig,
  GetDistributionConfigCommand,
  GetInvalidationCommand,
  UpdateDistributionCommand,
} from "@aws-sdk/client-cloudfront";
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { StaticDeployError, type StaticDeployErrorCode } from "../errors.js";
import type {
  Cdn,
  InvalidationStatus,
  ObjectMetadata,
  ObjectStore,
  OriginPathState,
  RemoteObject,
} from "../types.js";

/** Options of {@link createS3ObjectStore}. */
export interface S3ObjectStoreOptions {
  /** Files larger than this are uploaded in parts (default 16 MiB). */
  multipartThreshold?: number;
  /** Part size of multipart uploads (default 8 MiB; S3's minimum is 5 MiB). */
  partSize?: number;
  /** Parts of one file uploaded at once (default 4). */
  partConcurrency?: number;
}

/**
 * An {@link ObjectStore} over one S3 bucket.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * const store = createS3ObjectStore(new S3Client({ maxAttempts: 6 }), "sailjada-site");
 * ```
 */
export function createS3ObjectStore(
  client: S3Client,
  bucket: string,
  options: S3ObjectStoreOptions = {},
): ObjectStore {
  const multipartThreshold = options.multipartThreshold ?? 16 * 1024 * 1024;
  const partSize = Math.max(options.partSize ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
  const partConcurrency = Math.max(1, options.partConcurrency ?? 4);
  const where = `s3://${bucket}`;

  const headers = (metadata: ObjectMetadata) => ({
    ContentType: metadata.contentType,
    CacheControl: metadata.cacheControl,
    Metadata: { md5: metadata.md5 },
  });

  return {
    async *list(prefix) {
      try {
        for await (const page of paginateListObjectsV2(
          { client },
          { Bucket: bucket, Prefix: prefix },
        )) {
          for (const object of page.Contents ?? []) {
            if (object.Key === undefined) continue;
            const remote: RemoteObject = {
              key: object.Key,
              size: object.Size ?? 0,
              etag: (object.ETag ?? "").replace(/"/g, "").toLowerCase(),
              lastModified: object.LastModified?.toISOString(),
            };
            yield remote;
          }
        }
      } catch (error) {
        throw awsError(error, `listing ${where}/${prefix}`);
      }
    },

    async head(key) {
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          contentType: result.ContentType,
          cacheControl: result.CacheControl,
          md5: result.Metadata?.["md5"],
          etag: (result.ETag ?? "").replace(/"/g, "").toLowerCase(),
          lastModified: result.LastModified?.toISOString(),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw awsError(error, `reading ${where}/${key}`);
      }
    },

    async putFile(key, file, size, metadata) {
      try {
        if (size <= multipartThreshold) {
          const body = readFileSync(file);
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: body,
              ContentLength: size,
              // S3 verifies the bytes it received against this, so corruption in transit fails loudly.
              ContentMD5: Buffer.from(metadata.md5, "hex").toString("base64"),
              ...headers(metadata),
            }),
          );
          return;
        }
        const upload = new Upload({
          client,
          params: { Bucket: bucket, Key: key, Body: createReadStream(file), ...headers(metadata) },
          partSize,
          queueSize: partConcurrency,
          leavePartsOnError: false,
        });
        await upload.done();
      } catch (error) {
        throw awsError(error, `uploading ${where}/${key}`);
      }
    },

    async putText(key, text, contentType) {
      try {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType }),
        );
      } catch (error) {
        throw awsError(error, `writing ${where}/${key}`);
      }
    },

    async getText(key) {
      try {
        const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await result.Body?.transformToString("utf8");
      } catch (error) {
        if (statusOf(error) === 404 || nameOf(error) === "NoSuchKey") return undefined;
        throw awsError(error, `reading ${where}/${key}`);
      }
    },

    async copy(sourceKey, key, metadata) {
      try {
        await client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: key,
            CopySource: `${bucket}/${encodeKey(sourceKey)}`,
            MetadataDirective: "REPLACE",
            ...headers(metadata),
          }),
        );
      } catch (error) {
        throw awsError(error, `copying ${where}/${sourceKey} to ${key}`);
      }
    },

    async delete(keys) {
      for (let start = 0; start < keys.length; start += 1000) {
        const batch = keys.slice(start, start + 1000);
        let failed: string[];
        try {
          const result = await client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
            }),
          );
          failed = (result.Errors ?? []).map((error) => `${error.Key}: ${error.Code}`);
        } catch (error) {
          throw awsError(error, `deleting from ${where}`);
        }
        if (failed.length > 0) {
          throw new StaticDeployError(
            "REMOTE_FAILED",
            `could not delete ${failed.length} objects from ${where}: ${failed.slice(0, 5).join(", ")}`,
          );
        }
      }
    },
  };
}

/**
 * A {@link Cdn} over CloudFront.
 *
 * @example
 * ```ts
 * import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
 * const cdn = createCloudFrontCdn(new CloudFrontClient({ maxAttempts: 6 }));
 * ```
 */
export function createCloudFrontCdn(client: CloudFrontClient): Cdn {
  const status = (
    invalidation: { Id?: string | undefined; Status?: string | undefined } | undefined,
  ): InvalidationStatus => ({
    id: invalidation?.Id ?? "",
    status: invalidation?.Status ?? "",
  });
  return {
    async invalidate(distributionId, paths, callerReference) {
      try {
        const result = await client.send(
          new CreateInvalidationCommand({
            DistributionId: distributionId,
            InvalidationBatch: {
              CallerReference: callerReference,
              Paths: { Quantity: paths.length, Items: [...paths] },
            },
          }),
        );
        return status(result.Invalidation);
      } catch (error) {
        if (nameOf(error) === "TooManyInvalidationsInProgress") {
          throw new StaticDeployError(
            "TOO_MANY_INVALIDATIONS",
            `distribution ${distributionId} has too many invalidations in progress`,
            {
              cause: error,
            },
          );
        }
        throw awsError(error, `invalidating distribution ${distributionId}`);
      }
    },

    async getInvalidation(distributionId, invalidationId) {
      try {
        const result = await client.send(
          new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }),
        );
        return status(result.Invalidation);
      } catch (error) {
        throw awsError(error, `reading invalidation ${invalidationId} of ${distributionId}`);
      }
    },

    async getOriginPath(distributionId) {
      const { config, etag } = await readConfig(client, distributionId);
      return { originPath: siteOrigin(config, distributionId).OriginPath ?? "", version: etag };
    },

    async setOriginPath(distributionId, originPath, expectedVersion): Promise<OriginPathState> {
      const { config, etag } = await readConfig(client, distributionId);
      if (etag !== expectedVersion) {
        throw new StaticDeployError(
          "CONFLICT",
          `distribution ${distributionId} changed since it was read (ETag ${expectedVersion} is now ${etag}); run the command again`,
        );
      }
      siteOrigin(config, distributionId).OriginPath = originPath;
      try {
        const result = await client.send(
          new UpdateDistributionCommand({
            Id: distributionId,
            IfMatch: expectedVersion,
            DistributionConfig: config,
          }),
        );
        return { originPath, version: result.ETag ?? "" };
      } catch (error) {
        if (nameOf(error) === "PreconditionFailed" || statusOf(error) === 412) {
          throw new StaticDeployError(
            "CONFLICT",
            `distribution ${distributionId} changed while it was being updated; run the command again`,
            {
              cause: error,
            },
          );
        }
        throw awsError(error, `updating distribution ${distributionId}`);
      }
    },
  };
}

async function readConfig(
  client: CloudFrontClient,
  distributionId: string,
): Promise<{ config: DistributionConfig; etag: string }> {
  try {
    const result = await client.send(new GetDistributionConfigCommand({ Id: distributionId }));
    if (result.DistributionConfig === undefined || result.ETag === undefined) {
      throw new StaticDeployError(
        "REMOTE_FAILED",
        `distribution ${distributionId} returned no configuration`,
      );
    }
    return { config: result.DistributionConfig, etag: result.ETag };
  } catch (error) {
    if (error instanceof StaticDeployError) throw error;
    throw awsError(error, `reading distribution ${distributionId}`);
  }
}

// The origin that serves the site: the only one, else the first S3 origin.
function siteOrigin(config: DistributionConfig, distributionId: string) {
  const origins = config.Origins?.Items ?? [];
  const origin =
    origins.length === 1
      ? origins[0]
      : (origins.find((item) => item.S3OriginConfig !== undefined) ?? origins[0]);
  if (origin === undefined)
    throw new StaticDeployError("REMOTE_FAILED", `distribution ${distributionId} has no origin`);
  return origin;
}

/** Percent-encodes a key for `CopySource`, keeping the `/` separators. */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

function nameOf(error: unknown): string | undefined {
  const value = error as { name?: unknown; Code?: unknown };
  return typeof value?.Code === "string"
    ? value.Code
    : typeof value?.name === "string"
      ? value.name
      : undefined;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** Turns an AWS SDK error into a StaticDeployError with a code and a message that says what failed. */
export function awsError(error: unknown, doing: string): StaticDeployError {
  if (error instanceof StaticDeployError) return error;
  const name = nameOf(error);
  const status = statusOf(error);
  let code: StaticDeployErrorCode = "REMOTE_FAILED";
  let hint = "";
  if (name === "NoSuchBucket") {
    code = "BUCKET_NOT_FOUND";
    hint = ": the bucket does not exist (check the site's target in jada.config.json)";
  } else if (
    name === "AccessDenied" ||
    name === "InvalidAccessKeyId" ||
    name === "SignatureDoesNotMatch" ||
    status === 403
  ) {
    code = "ACCESS_DENIED";
    hint = ": access denied (check the credentials' IAM permissions)";
  } else if (
    name === "CredentialsProviderError" ||
    /credential/i.test(String((error as Error)?.message))
  ) {
    code = "CREDENTIALS_MISSING";
    hint = ": no AWS credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)";
  }
  const detail =
    hint ||
    `: ${name ?? "error"}${status ? ` (HTTP ${status})` : ""}${(error as Error)?.message ? `: ${(error as Error).message}` : ""}`;
  return new StaticDeployError(code, `${doing} failed${detail}`, { cause: error });
}
