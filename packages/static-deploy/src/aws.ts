/**
 * `@jada/static-deploy/aws`: the adapters of the `ObjectStore` and `Cdn` ports over the AWS SDK
 * v3 (`@aws-sdk/client-s3`, `@aws-sdk/lib-storage`, `@aws-sdk/client-cloudfront`, optional peer
 * dependencies: install them to use this entry).
 *
 * @packageDocumentation
 */
export {
  awsError,
  createCloudFrontCdn,
  createS3ObjectStore,
  encodeKey,
  type S3ObjectStoreOptions,
} from "./adapters/aws.js";
