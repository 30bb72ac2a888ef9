// Requests node:http cannot parse (an unknown method, a NUL in the target, Content-Length
// together with Transfer-Encoding, a malformed header) never reach hono, and node answers them
// with a bare status line. This answers them with the API's error envelope instead, wherever
// the connection can still carry a response; anything else just closes the connection.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { envelope } from '../../lib/http/errors.ts';

interface ClientError extends Error {
  code?: string;
  /** llhttp's fixed description of what it could not parse. */
  reason?: string;
  /** The bytes of the request as far as they arrived. */
  rawPacket?: Buffer;
}

/** Parser failures that are not a plain 400, as node itself maps them. */
const SPECIAL: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'Request headers are too large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, message: 'Chunk extensions are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request took too long to arrive' },
};

/** The server's `clientError` listener. */
export function answerClientError(err: ClientError, socket: Duplex): void {
  const answer = answerFor(err);
  // A response already under way on this connection (pipelining) must not be corrupted by a
  // second status line, so in that case, as for a dead socket, there is nothing to say.
  if (answer && socket.writable && !responseStarted(socket)) {
    const body = JSON.stringify(envelope(answer.status, answer.message));
    // The answer to a HEAD carries no body (RFC 9110 9.3.2): a client reads none, and bytes
    // after the headers would be a broken response to it.
    const head = err.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
    return;
  }
  socket.destroy();
}

function answerFor(err: ClientError): { status: number; message: string } | undefined {
  const special = err.code === undefined ? undefined : SPECIAL[err.code];
  if (special) return special;
  if (!err.code?.startsWith('HPE_')) return undefined; // a reset or a timeout of the socket, not a request
  return { status: 400, message: `Malformed HTTP request: ${(err.reason ?? err.code).slice(0, 100)}` };
}

/** node keeps the response in progress on the socket; its headers out means bytes were sent. */
function responseStarted(socket: Duplex): boolean {
  return (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
}
