// A loopback stand-in for CloudFront's edge: serves a distribution's bucket through its current
// origin path, the way visitors see a stage (directory URLs serve their index.html).
import { once } from "node:events";
import { createServer } from "node:http";
import { type CloudFrontClient, GetDistributionConfigCommand } from "@aws-sdk/client-cloudfront";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";

export async function startEdge(
  s3: S3Client,
  cloudFront: CloudFrontClient,
  bucket: string,
  distributionId: string,
) {
  const server = createServer(async (request, response) => {
    try {
      const config = await cloudFront.send(
        new GetDistributionConfigCommand({ Id: distributionId }),
      );
      const originPath = (config.DistributionConfig?.Origins?.Items?.[0]?.OriginPath ?? "").replace(
        /^\//,
        "",
      );
      let path = decodeURIComponent(new URL(request.url ?? "/", "http://edge").pathname).replace(
        /^\//,
        "",
      );
      if (path === "" || path.endsWith("/")) path += "index.html";
      const key = originPath === "" ? path : `${originPath}/${path}`;
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      response.writeHead(200, { "content-type": object.ContentType ?? "application/octet-stream" });
      response.end(await object.Body?.transformToString());
    } catch {
      response.writeHead(404).end("not found");
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
