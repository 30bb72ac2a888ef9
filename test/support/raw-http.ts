// One HTTP request sent through node:http with the target byte for byte (latin1: one char, one
// byte) and exactly the given headers: fetch and URL would remove dot segments and re-encode
// characters before the server saw them. A connection per request, like curl.
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  contentType: string | undefined;
  text: string;
}

export interface RawRequestOptions {
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Send the body in chunked transfer coding, with no Content-Length: its size is known only once it ends. */
  chunked?: boolean;
}

export function sendRaw(base: string, method: string, target: string, options: RawRequestOptions = {}): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers[options.chunked ? 'transfer-encoding' : 'content-length'] = options.chunked ? 'chunked' : Buffer.byteLength(options.body);
    const req = request({ host: url.hostname, port: url.port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
