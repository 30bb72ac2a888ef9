// A proxy in front of the S3 emulator that holds back the answer to every CompleteMultipartUpload
// (`POST /bucket/key?uploadId=...`) for a while: what a store joining a large upload's parts
// looks like to its client (s3rver takes 14.5 s to answer the completion of 2 GiB here).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowS3Proxy {
  url: string;
  /** How many completions it held back. */
  held(): number;
  /** The payload hash (`x-amz-content-sha256`) of every PUT so far: the parts and single uploads. */
  putPayloadHashes(): string[];
  close(): Promise<void>;
}

export async function startSlowS3Proxy(target: string, completionDelayMs: number): Promise<SlowS3Proxy> {
  const upstream = new URL(target);
  let held = 0;
  const putPayloadHashes: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'PUT') putPayloadHashes.push(String(req.headers['x-amz-content-sha256']));
    const completion = req.method === 'POST' && /[?&]uploadId=/.test(req.url ?? '');
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const send = () => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      };
      if (!completion) return send();
      held++;
      setTimeout(send, completionDelayMs);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    held: () => held,
    putPayloadHashes: () => [...putPayloadHashes],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
