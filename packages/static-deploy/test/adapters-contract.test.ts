// One contract per port, run against every adapter: the in-memory ones, S3 on moto with the real
// SDK, and CloudFront on the loopback fake (which enforces If-Match, as CloudFront does).
import { afterAll } from "vitest";
import { createCloudFrontCdn, createS3ObjectStore } from "../src/adapters/aws.js";
import { type CloudFrontFake, startCloudFrontFake } from "../src/testing/cloudfront-fake.js";
import { cdnContract, objectStoreContract } from "../src/testing/contract.js";
import { createMemoryCdn, createMemoryObjectStore } from "../src/testing/memory.js";
import { fakeCloudFrontClient, motoEndpoint, newBucket, s3Client } from "./aws.js";

objectStoreContract("memory", async () => ({ store: createMemoryObjectStore(), prefix: "" }));

const endpoint = motoEndpoint();
if (endpoint !== undefined) {
  objectStoreContract("S3 on moto", async () => {
    const client = s3Client(endpoint);
    return { store: createS3ObjectStore(client, await newBucket(client)), prefix: "site/" };
  });
} else console.warn("[static-deploy] the S3 contract is skipped: moto_server is not on PATH");

cdnContract("memory", async () => {
  const cdn = createMemoryCdn();
  return { cdn, distributionId: cdn.addDistribution() };
});

const fakes: CloudFrontFake[] = [];
afterAll(async () => {
  for (const fake of fakes) await fake.close();
});
cdnContract("CloudFront on the loopback fake", async () => {
  const fake = await startCloudFrontFake({ distributions: { E1CONTRACT: "" } });
  fakes.push(fake);
  return {
    cdn: createCloudFrontCdn(fakeCloudFrontClient(fake.endpoint)),
    distributionId: "E1CONTRACT",
  };
});
