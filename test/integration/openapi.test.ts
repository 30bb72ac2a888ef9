// The OpenAPI document and the reference page, as a client gets them from a running server:
// the document is valid OpenAPI 3.1, describes every route of the manifest, and every example
// request and answer of the spec (import-export-api.txt and COMPAT.md) meets it; the reference
// page and its assets come from this server alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fn as openapiFn } from '../../functions/docs/openapi.ts';
import { fn as docsFn } from '../../functions/docs/reference.ts';
import { manifest } from '../../functions/routes.ts';
import { API_PREFIXES, type RouteDefinition } from '../../lib/http/route.ts';
import type { Services } from '../../lib/ports.ts';
import { createLocalApp, startServer, type RunningServer } from '../../infra/local/server.ts';
import { REPO_ROOT } from '../../infra/aws/bundle.ts';
import { sendRaw } from '../support/raw-http.ts';

/** The API's contract as its clients know it (the Container Station pages and COMPAT.md), kept with the tests. */
const SPEC_DIR = join(REPO_ROOT, 'test', 'spec');
type Json = Record<string, any>;

let server: RunningServer;
let doc: Json;

beforeAll(async () => {
  // The two public functions read no service: the server holds only them.
  server = await startServer(createLocalApp([openapiFn, docsFn], {} as Services), '127.0.0.1', 0);
  const answer = await sendRaw(server.url, 'GET', '/api/v1/openapi.json');
  expect(answer.status).toBe(200);
  expect(answer.contentType).toMatch(/^application\/json/);
  doc = JSON.parse(answer.text) as Json;
});
afterAll(() => server?.close());

/** The operation of `method` on a manifest path template, as the document has it. */
const operationOf = (method: string, template: string): Json | undefined => doc.paths[template.replace(/\{(\w+)\+\}/g, '{$1}')]?.[method.toLowerCase()];

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it('describes every path and method of the manifest, and nothing else', () => {
    const described = Object.entries(doc.paths as Json).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    const routed = manifest.flatMap((route) => route.paths.map((p) => `${route.method} ${p.replace(/\{(\w+)\+\}/g, '{$1}')}`));
    expect(described.sort()).toEqual(routed.sort());
  });

  it('asks for the session cookie everywhere but on the public routes, and answers errors in the envelope', () => {
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'stevedore_sid' });
    for (const route of manifest) {
      for (const template of route.paths) {
        const operation = operationOf(route.method, template)!;
        expect(operation.security, route.name).toEqual(route.public ? [] : undefined);
        // The login answers 401 too, for credentials it refuses; the description routes never do.
        if (!route.public || route.name === 'login') expect(operation.responses['401'], route.name).toBeDefined();
        else expect(operation.responses['401'], route.name).toBeUndefined();
        expect(operation.responses['400'].$ref).toBe('#/components/responses/Error400');
      }
    }
    expect(doc.components.responses.Error400.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });
});

// ---- The spec's examples -------------------------------------------------------------------

interface Example {
  /** Where it is: the section of import-export-api.txt, or the COMPAT.md snippet. */
  where: string;
  method: string;
  target: string;
  body?: unknown;
  /** The answers shown for this request (a section may show one per request). */
  answer?: unknown;
}

/** Consecutive JSON values at the start of `text` (a response block may hold several); stops at anything else. */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let rest = text.trimStart();
  while (rest.startsWith('{') || rest.startsWith('[')) {
    let depth = 0;
    let inString = false;
    let end = -1;
    for (let i = 0; i < rest.length && end < 0; i++) {
      const ch = rest[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{' || ch === '[') depth++;
      else if ((ch === '}' || ch === ']') && --depth === 0) end = i + 1;
    }
    values.push(JSON.parse(rest.slice(0, end)));
    rest = rest.slice(end).trimStart();
  }
  return values;
}

/**
 * The examples of import-export-api.txt: in each endpoint's section, the `$ curl` commands of
 * its "Example request" blocks (method, target, `-d` body) paired in order with the JSON values
 * of the "Example response" block after them. The bare `curl ... | python -m json.tool` lines
 * at the end of the share-folder creation section repeat the three examples above them
 * without a `$` prompt, and are not read again.
 */
function specExamples(): Example[] {
  const text = readFileSync(join(SPEC_DIR, 'import-export-api.txt'), 'utf8');
  const sections = text.split(/^(?=(?:GET|POST|PUT|DELETE) \/api\/v1\/.*$)/m).slice(1);
  const examples: Example[] = [];
  for (const section of sections) {
    const title = section.slice(0, section.indexOf('\n'));
    const blocks = section.split(/^(?=Example (?:request|response))/m).slice(1);
    for (let i = 0; i < blocks.length; i++) {
      if (!blocks[i]!.startsWith('Example request')) continue;
      // A command runs from its `$ curl` to the next one; its `-d` body may span lines.
      const commands = blocks[i]!.replace(/\\\n/g, ' ').split(/^(?=\$ curl)/m).filter((part) => part.startsWith('$ curl'));
      const answers = blocks[i + 1]?.startsWith('Example response') ? jsonValues(blocks[i + 1]!.slice(blocks[i + 1]!.indexOf('\n'))) : [];
      commands.forEach((command, n) => {
        const body = /-d\s+'([\s\S]*?)'/.exec(command)?.[1];
        examples.push({
          where: `${title} (request ${n + 1})`,
          method: /-X(\w+)/.exec(command)?.[1] ?? 'GET',
          target: /http:\/\/\$\{QIP\}:\$\{QPORT\}(\S+)/.exec(command)![1]!,
          ...(body !== undefined && { body: JSON.parse(body) }),
          ...(answers.length === commands.length && { answer: answers[n] }),
        });
      });
    }
  }
  return examples;
}

/** The route that answers `method target`, in the manifest's order (specific paths first), as the server mounts them. */
function routeOf(method: string, target: string): { route: RouteDefinition; template: string } | undefined {
  const path = target.split('?')[0]!.slice(API_PREFIXES[0].length);
  for (const route of manifest) {
    if (route.method !== method) continue;
    for (const template of route.paths) {
      const pattern = template.replace(/\{\w+\+\}/g, '\u0000').replace(/\{\w+\}/g, '\u0001').replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      if (new RegExp(`^${pattern.replace(/\u0000/g, '.+').replace(/\u0001/g, '[^/]+')}/?$`).test(path)) return { route, template };
    }
  }
  return undefined;
}

function validatorFor(pointer: string): (value: unknown) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc, 'doc');
  const validate = ajv.getSchema(`doc#${pointer}`);
  if (!validate) throw new Error(`no schema at ${pointer}`);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
}

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const operationPointer = (method: string, template: string) => `/paths/${escape(template.replace(/\{(\w+)\+\}/g, '{$1}'))}/${method.toLowerCase()}`;

/** Where the document's schema of the answer with `status` is; error answers point to the shared responses. */
function answerPointer(method: string, template: string, status: number): string {
  const response = operationOf(method, template)!.responses[String(status)];
  expect(response, `${method} ${template} answers ${status}`).toBeDefined();
  const base = response.$ref ? (response.$ref as string).slice(1) : `${operationPointer(method, template)}/responses/${status}`;
  return `${base}/content/application~1json/schema`;
}

/**
 * The answers the spec shows that ours are not: in the import list and progress examples
 * `create_params` is the original server's Python repr string; COMPAT.md "Tasks" says we
 * always answer it as a JSON object (as the import POST example does).
 */
const PYTHON_REPR_ANSWERS = ['GET /api/v1/import/ (request 1)', 'GET /api/v1/import/progress (request 1)'];

describe('the examples of import-export-api.txt', () => {
  const examples = specExamples();

  it('were all read, each paired with its answer where the spec shows one', () => {
    // 18 `$ curl` requests; the one file DELETE shows an empty answer (an empty body, nothing to check).
    expect(examples).toHaveLength(18);
    expect(examples.filter((e) => e.answer === undefined).map((e) => e.where)).toEqual(['DELETE /api/v1/sharefolder/(string: dirname)/(string: basename) (request 1)']);
  });

  it('go to a described route each', () => {
    for (const example of examples) expect(routeOf(example.method, example.target), `${example.where}: ${example.method} ${example.target}`).toBeDefined();
  });

  it('send bodies the document describes', () => {
    const withBody = examples.filter((e) => e.body !== undefined);
    expect(withBody).toHaveLength(6);
    for (const example of withBody) {
      const { template } = routeOf(example.method, example.target)!;
      const check = validatorFor(`${operationPointer(example.method, template)}/requestBody/content/application~1json/schema`);
      expect(check(example.body), example.where).toEqual([]);
    }
  });

  it('show answers the document describes, at the status their envelope names', () => {
    const answered = examples.filter((e) => e.answer !== undefined && !PYTHON_REPR_ANSWERS.includes(e.where));
    expect(answered).toHaveLength(15);
    for (const example of answered) {
      const { template } = routeOf(example.method, example.target)!;
      const status = (example.answer as Json).error?.code ?? 200;
      expect(validatorFor(answerPointer(example.method, template, status))(example.answer), example.where).toEqual([]);
    }
  });

  it('leave out only the Python repr answers, which the document refuses', () => {
    const excluded = examples.filter((e) => PYTHON_REPR_ANSWERS.includes(e.where));
    expect(excluded.map((e) => typeof (e.answer as Json[])[0]!.create_params)).toEqual(['string', 'string']);
    for (const example of excluded) {
      const { template } = routeOf(example.method, example.target)!;
      expect(validatorFor(answerPointer(example.method, template, 200))(example.answer), example.where).not.toEqual([]);
    }
  });
});

/**
 * COMPAT.md's inline examples: every code span that starts with `{` or `[`. Those that are JSON
 * are checked against the schema of what they exemplify; the others are shapes written with
 * placeholders (`<int>`, `N`, `...`, `"tcp"|"udp"`), not values, and are listed here.
 */
const COMPAT_EXAMPLES: Record<string, string> = {
  '{"anonymous": false, "isAdmin": true, "logintime": "YYYY-MM-DD HH:MM:SS", "username": "admin"}': 'LoginAnswer',
  '{"username": "admin"}': 'LogoutAnswer',
  '[1, 2]': 'ClearedTaskIds',
  '[]': 'ClearedTaskIds',
  '{}': 'Empty',
};
const COMPAT_PLACEHOLDER_SHAPES = [
  '{"error": {"code": <int>, "message": "<string>"}}',
  '{"id", "name", "image": "name:tag", "state": "running"|"stopped", "type"}',
  '{"arch": "amd64", "autostart": false, "image": "ubuntu-trusty", "name": "utest", "network": {...},\n  "resource": {...}, "type": "lxc", "volume": {...}}',
  '{"index": N, "offset": M, "messages": [...]}',
];

describe('the examples of COMPAT.md', () => {
  const spans = [...readFileSync(join(SPEC_DIR, 'COMPAT.md'), 'utf8').matchAll(/`([{[][^`]*)`/g)].map((m) => m[1]!);
  const isJson = (span: string) => {
    try {
      JSON.parse(span);
      return true;
    } catch {
      return false;
    }
  };

  it('are each either checked here or a placeholder shape', () => {
    expect([...new Set(spans.filter(isJson))].sort()).toEqual(Object.keys(COMPAT_EXAMPLES).sort());
    expect([...new Set(spans.filter((s) => !isJson(s)))].sort()).toEqual([...COMPAT_PLACEHOLDER_SHAPES].sort());
  });

  it('meet the schemas of what they exemplify', () => {
    const pointerOf = (target: string) => {
      const [id, ...rest] = target.split('/');
      // Request and answer schemas share one namespace of components (lib/http/openapi/document.ts).
      return ['/components/schemas', id, ...rest].join('/');
    };
    for (const [span, target] of Object.entries(COMPAT_EXAMPLES)) {
      expect(validatorFor(pointerOf(target))(JSON.parse(span)), span).toEqual([]);
    }
  });
});

// ---- The reference page ---------------------------------------------------------------------

describe('the reference at /api/v1/docs', () => {
  it.each(API_PREFIXES.map((prefix) => [prefix]))('is an HTML page under %s whose every asset is a path on this server, and each answers 200', async (prefix) => {
    // Act
    const page = await sendRaw(server.url, 'GET', `${prefix}/docs`);

    // Assess
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    const urls = [...page.text.matchAll(/\b(?:src|href|data-document)="([^"]*)"/g)].map((m) => m[1]!);
    expect(urls).toHaveLength(4);
    for (const url of urls) {
      expect(url, 'same origin, same API prefix').toMatch(new RegExp(`^${prefix.replace(/[-/]/g, '\\$&')}/`));
      const asset = await sendRaw(server.url, 'GET', url);
      expect(asset.status, url).toBe(200);
      expect(asset.text.length, url).toBeGreaterThan(0);
    }
    expect(page.text).not.toMatch(/https?:\/\//);
  });

  it('turns off Swagger UI\'s online validator, so that the page asks no other host', async () => {
    const page = await sendRaw(server.url, 'GET', '/api/v1/docs');
    const start = [...page.text.matchAll(/src="([^"]*)"/g)].map((m) => m[1]!).find((src) => src.endsWith('stevedore-reference.js'))!;
    expect((await sendRaw(server.url, 'GET', start)).text).toContain('validatorUrl: null');
  });

  it('answers 404 in the envelope for a file it does not serve', async () => {
    const answer = await sendRaw(server.url, 'GET', '/api/v1/docs/index.html');
    expect({ status: answer.status, body: JSON.parse(answer.text) }).toEqual({ status: 404, body: { error: { code: 404, message: 'No asset index.html in the reference' } } });
  });
});
