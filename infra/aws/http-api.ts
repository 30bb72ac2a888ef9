// The HTTP API: one route per manifest path under every API prefix, each integrated with its
// entry's function, and access logs on the default stage.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_PREFIXES, type RouteDefinition } from '../../lib/http/route.ts';
import { API_GATEWAY_TIMEOUT_SECONDS } from '../../lib/config.ts';

const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAM_SEGMENT = /^\{\w+\}$/;
const GREEDY_SEGMENT = /^\{\w+\+\}$/;

/**
 * A manifest path template under an API prefix, in API Gateway's route syntax. The manifest's
 * `{param}` and `{param+}` are API Gateway's own; what needs care is what API Gateway rejects:
 * a greedy variable anywhere but last, and a trailing slash (a route `/export` also answers
 * `/export/`, and the function sees the raw path with its slash).
 */
export function apiGatewayPath(prefix: string, template: string, routeName: string): string {
  const fail = (why: string): never => {
    throw new Error(`route manifest: "${routeName}" path "${template}": ${why}`);
  };
  if (!template.startsWith('/')) fail('must start with "/"');
  const segments = template.split('/').slice(1);
  if (segments.at(-1) === '') segments.pop(); // a trailing slash, or the API base itself
  segments.forEach((segment, i) => {
    if (GREEDY_SEGMENT.test(segment)) {
      if (i !== segments.length - 1) fail('a greedy {param+} must be the last segment');
    } else if (!PARAM_SEGMENT.test(segment) && !LITERAL_SEGMENT.test(segment)) {
      fail(`segment "${segment}" is neither a literal (letters, digits, . _ ~ -) nor a {param} / {param+}`);
    }
  });
  return [prefix, ...segments].join('/');
}

/** One JSON line per request, with HTTP API's own variables (route key, integration error). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    bytes: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export interface HttpEndpoint {
  route: RouteDefinition;
  function: lambda.IFunction;
}

export class StevedoreHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  /** `METHOD /path` -> the manifest entry's name. */
  readonly routeKeys = new Map<string, string>();

  /** `notFound` answers every request no endpoint matches (the API's $default route). */
  constructor(scope: Construct, id: string, endpoints: HttpEndpoint[], notFound: lambda.IFunction) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'stevedore: Container Station compatible import/export API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('not-found-integration', notFound, {
        timeout: Duration.seconds(API_GATEWAY_TIMEOUT_SECONDS),
      }),
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    for (const endpoint of endpoints) this.addEndpoint(endpoint);
    Validations.of(this.api.node.findChild('DefaultRoute')).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route only answers 404 or 405 (with Allow) in the API\'s error envelope; it reads and changes nothing, so there is nothing to authorize.',
    });
  }

  private addEndpoint({ route, function: fn }: HttpEndpoint): void {
    // One invoke permission per function for the whole API, not one per route: the number of
    // routes is paths x prefixes, and per-route permissions would cost a CloudFormation
    // resource each (the stack has a 500-resource limit) for no gain: only this API's own
    // routes, all defined here, can reach the function.
    const integration = new HttpLambdaIntegration(`${route.name}-integration`, fn, {
      scopePermissionToRoute: false,
      timeout: Duration.seconds(API_GATEWAY_TIMEOUT_SECONDS),
    });
    for (const prefix of API_PREFIXES) {
      for (const template of route.paths) {
        const path = apiGatewayPath(prefix, template, route.name);
        const key = `${route.method} ${path}`;
        const other = this.routeKeys.get(key);
        if (other !== undefined) throw new Error(`route manifest: ${key} is declared by both "${other}" and "${route.name}"`);
        this.routeKeys.set(key, route.name);
        const [httpRoute] = this.api.addRoutes({ path, methods: [apigw.HttpMethod[route.method]], integration });
        Validations.of(httpRoute!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: route.public
            ? Object.keys(route.access).length === 0
              ? 'The API\'s own description (the OpenAPI document and its reference page): the same for everyone, readable before a ' +
                'login since it says how to log in, and its function reads no session and may touch neither the table nor the bucket.'
              : 'POST /api/v1/login is the public route that reads data: it is where a client gets its session (spec/COMPAT.md). Its failures ' +
                'are limited per user and per client address (429 with Retry-After) and answer alike whether or not the user exists.'
            : 'Authentication is part of the API contract being reproduced (spec/COMPAT.md): clients log in with POST /api/v1/login ' +
              'and send an opaque session cookie. Every function checks it before its handler runs (the session gate of lib/http, ' +
              'which every manifest route passes through; the stack sets STEVEDORE_AUTH=required) and answers 401 in the API\'s own ' +
              'error envelope, which an API Gateway authorizer could not.',
        });
      }
    }
  }

  /**
   * The base URL of the API: the `$default` stage serves at the endpoint's root. Read from the
   * deployed API (not assembled from region and domain), so LocalStack reports its own URL.
   */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
