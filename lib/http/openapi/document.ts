// The OpenAPI 3.1 document of the API, built from the route manifest and, for each entry, the
// zod schemas its handler validates requests with and builds answers by (./operations.ts):
// z.toJSONSchema turns them into the document's JSON Schemas (2020-12, OpenAPI 3.1's dialect),
// requests as their input side, answers as their output side. Nothing in it is written twice.
import * as z from 'zod/mini';
import { errorEnvelopeSchema } from '../error-envelope-schema.ts';
import { API_PREFIXES, type RouteDefinition } from '../route.ts';
import { SESSION_COOKIE } from '../session-cookie.ts';

/** A schema the document names among its components, so that clients' generators name it too. */
export interface Named {
  id: string;
  schema: z.ZodMiniType;
}

export interface Operation {
  summary: string;
  description?: string;
  tag: string;
  /** Path parameters, one field each; `{name+}` ones take slashes. */
  path?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  /** A JSON body; `form` when a form-encoded one is read as well (the login). */
  body?: Named & { form?: true };
  /** The 200 answer: a JSON body, a body of another media type, or none. */
  answer: (Named & { description: string }) | { media: string; description: string } | { empty: string };
  /** Statuses it may answer besides the ones every route may (400, 401 where gated, 500, 503). */
  errors?: readonly ErrorStatus[];
  headers?: Record<string, { description: string; schema: z.ZodMiniType }>;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 413 | 429 | 500 | 503;

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Bad input (a field, a path, a name taken, a path in use, a missing share path), refused before anything changed.',
  401: 'No live session where one is required: POST /api/v1/login first and send its cookie.',
  403: 'The share folder is read-only, or the path is one that cannot be changed.',
  404: 'No such container.',
  413: 'The body is larger than 1 MiB.',
  429: 'Too many failed logins for the user or the address; `Retry-After` says when to try again.',
  500: 'A fault of the server; the log has its details.',
  503: 'A backend (the table, the bucket, a container engine) cannot be reached.',
};

const SECURITY_SCHEME = 'session';
const ERROR_SCHEMA = 'Error';

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
}

/** The document; throws when a manifest entry has no operation or an operation no entry. */
export function openApiDocument(manifest: readonly RouteDefinition[], operations: Readonly<Record<string, Operation>>, info: DocumentInfo): Record<string, unknown> {
  const described = new Set(Object.keys(operations));
  const missing = manifest.filter((route) => !described.has(route.name)).map((route) => route.name);
  if (missing.length > 0) throw new Error(`OpenAPI: no operation describes ${missing.join(', ')}`);
  const unknown = [...described].filter((name) => !manifest.some((route) => route.name === name));
  if (unknown.length > 0) throw new Error(`OpenAPI: operations without a manifest entry: ${unknown.join(', ')}`);

  const requests = new Components('input');
  const answers = new Components('output');
  answers.add({ id: ERROR_SCHEMA, schema: errorEnvelopeSchema });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of manifest) {
    const operation = operations[route.name]!;
    route.paths.forEach((template, index) => {
      const path = template.replace(/\{(\w+)\+\}/g, '{$1}');
      paths[path] ??= {};
      paths[path][route.method.toLowerCase()] = operationObject(route, operation, template, index, requests, answers);
    });
  }

  return {
    openapi: '3.1.1',
    info,
    servers: API_PREFIXES.map((url, index) => ({ url, description: index === 0 ? 'The API' : 'An alias later clients use' })),
    security: [{ [SECURITY_SCHEME]: [] }],
    tags: [...new Set(manifest.map((route) => operations[route.name]!.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { ...requests.schemas(), ...answers.schemas() },
      responses: Object.fromEntries(
        (Object.keys(ERROR_DESCRIPTIONS) as unknown as ErrorStatus[]).map((status) => [errorName(status), { description: ERROR_DESCRIPTIONS[status], content: json(ref(ERROR_SCHEMA)) }]),
      ),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description:
            'The HttpOnly cookie POST /api/v1/login sets; clients keep it opaque (`curl -c cookies.txt`, then `-b cookies.txt`). ' +
            'Required where the server runs with STEVEDORE_AUTH=required (every deployed stack); with `anonymous` a request without it acts as "Anonymous".',
        },
      },
    },
  };
}

function operationObject(route: RouteDefinition, operation: Operation, template: string, index: number, requests: Components, answers: Components): Record<string, unknown> {
  const pathNames = [...template.matchAll(/\{(\w+)(\+?)\}/g)].map((m) => ({ name: m[1]!, greedy: m[2] === '+' }));
  const pathFields = operation.path?.shape ?? {};
  for (const { name } of pathNames) if (!(name in pathFields)) throw new Error(`OpenAPI: ${route.name} has no schema for the path parameter {${name}}`);
  const parameters = [
    ...pathNames.map(({ name, greedy }) => parameter(name, 'path', pathFields[name] as z.ZodMiniType, greedy)),
    ...Object.entries(operation.query?.shape ?? {}).map(([name, schema]) => parameter(name, 'query', schema as z.ZodMiniType, false)),
  ];
  const errors = new Set<ErrorStatus>([400, ...(route.public ? [] : [401 as const]), ...(operation.errors ?? []), 500, 503]);
  const answer = operation.answer;
  const ok =
    'empty' in answer
      ? { description: answer.empty }
      : 'media' in answer
        ? { description: answer.description, content: { [answer.media]: {} } }
      : {
          description: answer.description,
          ...(operation.headers && { headers: Object.fromEntries(Object.entries(operation.headers).map(([name, h]) => [name, { description: h.description, schema: schemaOf(h.schema, 'output') }])) }),
          content: json(answers.add(answer)),
        };
  return {
    operationId: index === 0 ? route.name : `${route.name}-${index + 1}`,
    summary: operation.summary,
    ...(operation.description && { description: operation.description }),
    tags: [operation.tag],
    ...(route.public && { security: [] }),
    ...(parameters.length > 0 && { parameters }),
    ...(operation.body && {
      requestBody: {
        required: !operation.body.form,
        description: operation.body.form
          ? 'Form-encoded or JSON.'
          : 'JSON, read as JSON whatever its Content-Type: `curl -d` labels it a form, and that is accepted (COMPAT.md "Request bodies").',
        content: {
          'application/json': { schema: requests.add(operation.body) },
          ...(operation.body.form && { 'application/x-www-form-urlencoded': { schema: requests.add(operation.body) } }),
        },
      },
    }),
    responses: {
      200: ok,
      ...Object.fromEntries([...errors].sort().map((status) => [String(status), { $ref: `#/components/responses/${errorName(status)}` }])),
    },
  };
}

function parameter(name: string, where: 'path' | 'query', schema: z.ZodMiniType, greedy: boolean): Record<string, unknown> {
  const { description, ...json } = schemaOf(schema, 'input') as { description?: string };
  const slashes = greedy ? ' One or more path segments: slashes are part of it, sent unencoded.' : '';
  return {
    name,
    in: where,
    required: where === 'path' || !schema.safeParse(undefined).success,
    ...((description || slashes) && { description: `${description ?? ''}${slashes}`.trim() }),
    schema: json,
  };
}

/** The named schemas of one side (request or answer), each converted once. */
class Components {
  private readonly registry = z.registry<{ id: string }>();
  private readonly byId = new Map<string, z.ZodMiniType>();

  constructor(private readonly io: 'input' | 'output') {}

  add({ id, schema }: Named): { $ref: string } {
    const known = this.byId.get(id);
    if (known && known !== schema) throw new Error(`OpenAPI: two schemas are named ${id}`);
    if (!known) {
      this.byId.set(id, schema);
      this.registry.add(schema, { id });
    }
    return ref(id);
  }

  schemas(): Record<string, unknown> {
    const { schemas } = z.toJSONSchema(this.registry, { io: this.io, target: 'draft-2020-12', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
    return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutDialect(schema)]));
  }
}

function schemaOf(schema: z.ZodMiniType, io: 'input' | 'output'): Record<string, unknown> {
  return withoutDialect(z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }));
}

/** The document's dialect is JSON Schema 2020-12 already; ids are the components' names. */
function withoutDialect(schema: object): Record<string, unknown> {
  const { $schema: _dialect, id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errorName = (status: ErrorStatus) => `Error${status}`;
