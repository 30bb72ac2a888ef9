// A fuzz pass: seeded random requests (./fuzz-requests.ts) sent in small concurrent batches,
// each answer checked (never a 5xx, always within its bound, refusals in the error envelope),
// and the bucket and table compared around every batch against what the batch may change:
// a refused request changes nothing; an accepted one (2xx) to a method that writes may; a
// login attempt may count a failure. Where the stack needs a session, half the batches go
// without the live one (forged, expired, logged-out cookies or none): such a request is served
// only on a public route, and such a batch changes nothing but login failure counts. Nothing
// here uses vitest, so the soak runs it too.
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { request } from 'node:http';
import type { AwsClients } from '../../../lib/aws/clients.ts';
import { TTL_ATTRIBUTE } from '../../../lib/aws/table.ts';
import type { RouteDefinition } from '../../../lib/http/route.ts';
import { fuzzRequest, type FuzzContext, type FuzzRequest } from './fuzz-requests.ts';
import { seededRandom } from './prng.ts';

export interface FuzzTarget {
  url: string;
  aws: AwsClients;
  tableName: string;
  bucketName: string;
  routes: readonly RouteDefinition[];
  /** How long a long poll may hold (the stack's poll bound); other routes get `boundMs` alone. */
  pollBoundMs: number;
  context: FuzzContext;
  /** STEVEDORE_AUTH=required: every route but the public ones refuses a request without the live session. */
  authRequired: boolean;
}

export interface FuzzOptions {
  seed: number;
  requests: number;
  /** Requests in flight at once; the stores are compared between batches of this many. */
  concurrency: number;
  /** Time within which every answer must come, on top of a long poll's bound. */
  boundMs: number;
}

export interface FuzzFinding {
  index: number;
  request: Omit<FuzzRequest, 'body'> & { body?: string };
  problem: string;
}

export interface FuzzReport {
  seed: number;
  sent: number;
  byStatus: Record<number, number>;
  /** Batches in which an accepted write was answered, whose changes were therefore allowed. */
  acceptedWriteBatches: number;
  /** Batches sent without the live session, where the stack needs one: they may change nothing. */
  sessionlessBatches: number;
  slowestMs: number;
  findings: FuzzFinding[];
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  ms: number;
}

const WRITING_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
/** What a login attempt writes whatever its answer: the failure count of the name and the address. */
const LOGIN_FAILURE_PK = 'LOGIN_FAILURES#';
const SESSION_PK = 'SESSION#';
const MAX_FINDINGS = 20;

export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const random = seededRandom(options.seed);
  const report: FuzzReport = { seed: options.seed, sent: 0, byStatus: {}, acceptedWriteBatches: 0, sessionlessBatches: 0, slowestMs: 0, findings: [] };
  const publicRoutes = new Set(target.routes.filter((route) => route.public).map((route) => route.name));
  /** Whether the stack may act on the request: it needs no session, or it carries the live one. */
  const entitled = (req: FuzzRequest) => !target.authRequired || req.withSession || publicRoutes.has(req.route);
  // Long polls hold for their bound and may not write: they run beside the batches, not in them.
  const polls: Promise<void>[] = [];
  /** Records the answer and what is wrong with it; true when the request was accepted. */
  const check = (index: number, req: FuzzRequest, answer: Answer): boolean => {
    report.sent++;
    report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
    report.slowestMs = Math.max(report.slowestMs, answer.ms);
    const accepted = answer.status >= 200 && answer.status < 300;
    const problem =
      answer.status === 0 ? answer.text
      : answer.status >= 500 ? `answered ${answer.status}: ${answer.text.slice(0, 300)}`
      : accepted && !entitled(req) ? `served ${answer.status} without a session: ${answer.text.slice(0, 300)}`
      : answer.status >= 400 && req.method !== 'HEAD' ? envelopeProblem(answer)
      : undefined;
    if (problem) report.findings.push({ index, request: printable(req), problem });
    return accepted;
  };
  let before = await observe(target);
  for (let index = 0; index < options.requests && report.findings.length < MAX_FINDINGS; index += options.concurrency) {
    const sessionless = target.authRequired && random.chance(0.5);
    if (sessionless) report.sessionlessBatches++;
    const context = sessionless ? { ...target.context, sessionCookie: undefined } : target.context;
    const generated = Array.from({ length: Math.min(options.concurrency, options.requests - index) }, (_, i) => ({ index: index + i, req: fuzzRequest(random, target.routes, context) }));
    for (const { index: at, req } of generated.filter(({ req }) => isPoll(req))) polls.push(send(target.url, req, boundOf(target, req, options)).then((answer) => void check(at, req, answer)));
    const batch = generated.filter(({ req }) => !isPoll(req));
    const answers = await Promise.all(batch.map(({ req }) => send(target.url, req, boundOf(target, req, options))));
    let acceptedWrite = false;
    const allowed: string[] = [];
    batch.forEach(({ index: at, req }, i) => {
      const answer = answers[i]!;
      if (req.target.includes('login')) allowed.push(`table ${LOGIN_FAILURE_PK}`);
      const accepted = check(at, req, answer);
      if (accepted && WRITING_METHODS.has(req.method) && entitled(req)) acceptedWrite = true;
      // A refresh is a GET that renews the session it names.
      if (accepted && req.target.includes('login_refresh')) allowed.push(`table ${SESSION_PK}`);
    });
    const after = await observe(target);
    if (acceptedWrite) report.acceptedWriteBatches++;
    else {
      const changed = differences(before, after).filter((key) => !allowed.some((prefix) => key.startsWith(prefix)));
      if (changed.length > 0) {
        const what = sessionless ? 'requests without a session' : 'refused requests';
        report.findings.push({ index, request: printable(generated[0]!.req), problem: `a batch of ${what} changed ${changed.slice(0, 5).join(', ')}; the batch: ${JSON.stringify(generated.map(({ req }) => printable(req))).slice(0, 3000)}` });
      }
    }
    before = after;
  }
  await Promise.all(polls);
  return report;
}

/** How a failed run names itself: its seed, the command that replays it, and what went wrong. */
export function describeFindings(report: FuzzReport, replay: string): string {
  const lines = report.findings.map((f) => `#${f.index} ${f.request.method} ${JSON.stringify(f.request.target)} (from ${f.request.route}): ${f.problem}\n    ${JSON.stringify(f.request).slice(0, 600)}`);
  return `fuzz seed ${report.seed} (replay: ${replay}): ${report.findings.length} finding(s)\n${lines.join('\n')}`;
}

const isPoll = (req: FuzzRequest) => req.method === 'GET' && req.target.includes('progress');

function boundOf(target: FuzzTarget, req: FuzzRequest, options: FuzzOptions): number {
  // A request bent onto a long poll (another route's method and path) may hold as long as one.
  const mayPoll = req.target.includes('progress');
  return options.boundMs + (mayPoll ? target.pollBoundMs : 0);
}

function envelopeProblem(answer: Answer): string | undefined {
  if (!answer.contentType.startsWith('application/json')) return `answered ${answer.status} as ${answer.contentType || 'no content type'}: ${answer.text.slice(0, 200)}`;
  try {
    const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown } };
    if (body.error?.code !== answer.status || typeof body.error.message !== 'string') return `answered ${answer.status} outside the envelope: ${answer.text.slice(0, 200)}`;
  } catch {
    return `answered ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`;
  }
  return undefined;
}

function printable(req: FuzzRequest): FuzzFinding['request'] {
  const body = req.body === undefined ? undefined : req.body.length > 400 ? `${req.body.subarray(0, 400).toString('latin1')}… (${req.body.length} bytes)` : req.body.toString('latin1');
  return { route: req.route, method: req.method, target: req.target, headers: req.headers, body, withSession: req.withSession };
}

function send(base: string, req: FuzzRequest, boundMs: number): Promise<Answer> {
  const url = new URL(base);
  const started = performance.now();
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = req.body.length;
    let settled = false;
    const done = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: performance.now() - started });
    };
    const timer = setTimeout(() => {
      done({ status: 0, contentType: '', text: `no answer within ${boundMs} ms` });
      outgoing.destroy();
    }, boundMs);
    const outgoing = request({ host: url.hostname, port: url.port, method: req.method, path: req.target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => done({ status: 0, contentType: '', text: `the answer broke off: ${error.message}` }));
    });
    outgoing.on('error', (error) => {
      // A server may answer a body it refuses (413) and close before reading it all: the answer counts.
      done({ status: 0, contentType: '', text: `the request failed: ${error.message}` });
    });
    outgoing.end(req.body);
  });
}

/** Every object (key and ETag) of the bucket and every item of the table, as comparable strings. */
async function observe(target: FuzzTarget): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await target.aws.s3.send(new ListObjectsV2Command({ Bucket: target.bucketName, ContinuationToken: token }));
    for (const object of page.Contents ?? []) state.set(`bucket ${object.Key}`, object.ETag ?? '');
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await target.aws.dynamo.send(new ScanCommand({ TableName: target.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of page.Items ?? []) state.set(`table ${item.pk?.S}|${item.sk?.S}`, canonical(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return state;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

function differences(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [key, value] of after) if (before.get(key) !== value) changed.push(before.has(key) ? `${key} (changed)` : `${key} (added)`);
  for (const [key, value] of before) if (!after.has(key) && !hadExpired(value)) changed.push(`${key} (removed)`);
  return changed;
}

/**
 * Whether an item's time to live had passed: the table removes such items on its own (DynamoDB
 * Local within a second, AWS within days), whatever the requests of the batch.
 */
function hadExpired(canonicalItem: string): boolean {
  const expiry = new RegExp(`"${TTL_ATTRIBUTE}":\\{"N":"(\\d+)"\\}`).exec(canonicalItem);
  return expiry !== null && Number(expiry[1]) * 1000 <= Date.now();
}
