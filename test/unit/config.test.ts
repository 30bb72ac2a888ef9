// Reading the configuration from the environment (lib/config.ts): the defaults, and one line
// naming the variable for each value refused.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_QUOTA_BYTES, loadConfig, MAX_POLL_SECONDS, type Config } from '../../lib/config.ts';

/** The problems loadConfig reports for this environment (none: it loaded). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}

const GIB = 1024 ** 3;

describe('the configuration', () => {
  it('has defaults for every setting', () => {
    expect(loadConfig({})).toEqual({
      region: 'us-east-1',
      tableName: 'stevedore',
      bucketName: 'stevedore-share',
      endpoint: undefined,
      dynamoEndpoint: undefined,
      dynamoStreamsEndpoint: undefined,
      s3Endpoint: undefined,
      secretsEndpoint: undefined,
      host: '127.0.0.1',
      port: 8080,
      dataDir: './.data',
      shareFolders: [{ name: 'test', writable: true, quotaBytes: 40 * GIB }],
      pollBoundMs: 20_000,
      pollIntervalMs: 100,
      taskLeaseMs: 120_000,
      uploadPartBytes: 5 * 1024 * 1024,
      backendConnectTimeoutMs: 3000,
      backendIdleTimeoutMs: 5000,
      backendTransferIdleTimeoutMs: 300_000,
      gzipLevel: 6,
      dockerRuntime: 'builtin',
      lxcRuntime: 'builtin',
      hostTypes: [],
      hostWaitMs: 15 * 60_000,
      eventRetentionDays: 30,
      logLevel: 'INFO',
      auth: 'anonymous',
      sessionTtlMs: 8 * 3600_000,
      loginFailureLimit: 10,
      loginFailureWindowMs: 15 * 60_000,
    } satisfies Config);
  });

  it('reports each bad value as one line naming its variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      STEVEDORE_GZIP_LEVEL: '12',
      STEVEDORE_BUCKET: 'Not_A_Bucket',
      AWS_ENDPOINT_URL_S3: 'ftp://storage',
    });
    expect(problems).toEqual([
      'STEVEDORE_BUCKET: "Not_A_Bucket" is not an S3 bucket name: 3-63 lowercase letters, digits, . -',
      'AWS_ENDPOINT_URL_S3: "ftp://storage" is not an http(s) URL',
      'PORT: "eighty" must be a whole number from 0 to 65535',
      'STEVEDORE_GZIP_LEVEL: "12" must be a whole number from 1 to 9',
    ]);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('invalid configuration:\n  - PORT: "eighty" must be a whole number from 0 to 65535');
  });

  it('reads share folders with their modes and quotas', () => {
    expect(loadConfig({ STEVEDORE_SHARE_FOLDERS: 'test:rw, Public:ro:100G,docs,small:rw:512M,huge:ro:1.5T' }).shareFolders).toEqual([
      { name: 'test', writable: true, quotaBytes: DEFAULT_QUOTA_BYTES },
      { name: 'Public', writable: false, quotaBytes: 100 * GIB },
      { name: 'docs', writable: true, quotaBytes: DEFAULT_QUOTA_BYTES },
      { name: 'small', writable: true, quotaBytes: 512 * 1024 * 1024 },
      { name: 'huge', writable: false, quotaBytes: 1.5 * 1024 * GIB },
    ]);
  });

  it('refuses share folders with a bad name, mode or quota, or listed twice, and a list of none', () => {
    expect(problemsOf({ STEVEDORE_SHARE_FOLDERS: '.hidden,ok:rx,big:rw:lots,twice,twice:ro' })).toEqual([
      'STEVEDORE_SHARE_FOLDERS: ".hidden" is not a valid share folder name (letters, digits, _ . -, up to 63)',
      'STEVEDORE_SHARE_FOLDERS: "ok:rx": the mode must be rw or ro',
      'STEVEDORE_SHARE_FOLDERS: "big:rw:lots": the quota must look like 500M, 40G or 2T',
      'STEVEDORE_SHARE_FOLDERS: "twice" is listed twice',
    ]);
    expect(problemsOf({ STEVEDORE_SHARE_FOLDERS: ' , ' })).toEqual(['STEVEDORE_SHARE_FOLDERS: at least one share folder is needed']);
  });

  it('takes builtin as the runtime of either container type, the engine for docker, LXC_PATH for lxc, and refuses a runtime this build does not have, naming the choices', () => {
    expect(loadConfig({ STEVEDORE_DOCKER_RUNTIME: 'builtin', STEVEDORE_LXC_RUNTIME: 'BuiltIn' })).toMatchObject({ dockerRuntime: 'builtin', lxcRuntime: 'builtin' });
    expect(loadConfig({ STEVEDORE_DOCKER_RUNTIME: 'engine' })).toMatchObject({ dockerRuntime: 'engine', dockerEndpoint: { kind: 'unix', socketPath: '/var/run/docker.sock' } });
    expect(problemsOf({ STEVEDORE_DOCKER_RUNTIME: 'podman', STEVEDORE_LXC_RUNTIME: 'engine' })).toEqual([
      'STEVEDORE_DOCKER_RUNTIME: "podman" is not the runtime of docker containers this build has (builtin, engine, host)',
      'STEVEDORE_LXC_RUNTIME: "engine" is not the runtime of lxc containers this build has (builtin, lxc, host)',
    ]);
  });

  it('places no container type on container hosts unless STEVEDORE_HOST_TYPES names them, in any case and with spaces', () => {
    expect(loadConfig({ STEVEDORE_HOST_TYPES: '' }).hostTypes).toEqual([]);
    expect(loadConfig({ STEVEDORE_HOST_TYPES: 'lxc' }).hostTypes).toEqual(['lxc']);
    expect(loadConfig({ STEVEDORE_HOST_TYPES: ' LXC , docker,' }).hostTypes).toEqual(['lxc', 'docker']);
  });

  it('refuses a host type this build does not have, naming the choices, and one listed twice', () => {
    expect(problemsOf({ STEVEDORE_HOST_TYPES: 'lxc,vm' })).toEqual(['STEVEDORE_HOST_TYPES: "vm" is not a container type this build has (docker, lxc)']);
    expect(problemsOf({ STEVEDORE_HOST_TYPES: 'docker,lxc,Docker' })).toEqual(['STEVEDORE_HOST_TYPES: "docker" is listed twice']);
  });

  it('lets a host type wait for a host worker from 1 minute to the 24 hours a stream keeps its records', () => {
    expect(loadConfig({ STEVEDORE_HOST_WAIT_MINUTES: '1440' }).hostWaitMs).toBe(24 * 3600_000);
    expect(loadConfig({ STEVEDORE_HOST_WAIT_MINUTES: '1' }).hostWaitMs).toBe(60_000);
    expect(problemsOf({ STEVEDORE_HOST_WAIT_MINUTES: '1441' })).toEqual(['STEVEDORE_HOST_WAIT_MINUTES: "1441" must be a whole number from 1 to 1440']);
    expect(problemsOf({ STEVEDORE_HOST_WAIT_MINUTES: '0' })).toEqual(['STEVEDORE_HOST_WAIT_MINUTES: "0" must be a whole number from 1 to 1440']);
  });

  it('takes the host inventory as a runtime only for a type placed on hosts, whose tasks its host worker runs', () => {
    expect(loadConfig({ STEVEDORE_LXC_RUNTIME: 'host', STEVEDORE_HOST_TYPES: 'lxc' })).toMatchObject({ lxcRuntime: 'host', hostTypes: ['lxc'] });
    expect(problemsOf({ STEVEDORE_LXC_RUNTIME: 'host' })).toEqual(['STEVEDORE_LXC_RUNTIME: "host" needs lxc in STEVEDORE_HOST_TYPES: its tasks run on the host worker that publishes its containers']);
    expect(loadConfig({ STEVEDORE_LXC_RUNTIME: 'lxc', LXC_PATH: '/srv/lxc/' })).toMatchObject({ lxcRuntime: 'lxc', lxcPath: '/srv/lxc', shareRoot: '/share' });
    expect(problemsOf({ STEVEDORE_LXC_RUNTIME: 'lxc', LXC_PATH: 'lxc' })).toEqual(['LXC_PATH: "lxc" must be an absolute path']);
  });

  it("reads the Docker engine's address as Docker's clients do, only when the engine runtime is chosen", () => {
    const engine = { STEVEDORE_DOCKER_RUNTIME: 'engine' };
    expect(loadConfig({ ...engine, DOCKER_HOST: 'unix:///run/user/docker.sock' }).dockerEndpoint).toEqual({ kind: 'unix', socketPath: '/run/user/docker.sock' });
    expect(loadConfig({ ...engine, DOCKER_HOST: 'tcp://engine.internal:2375' }).dockerEndpoint).toEqual({ kind: 'tcp', host: 'engine.internal', port: 2375 });
    expect(problemsOf({ ...engine, DOCKER_HOST: 'ssh://me@host' })).toEqual(['DOCKER_HOST: "ssh://me@host" is not unix:///path/to/docker.sock or tcp://host:port']);
    expect(problemsOf({ ...engine, DOCKER_HOST: 'tcp://host:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent/certs' })).toEqual([
      'DOCKER_TLS_VERIFY is set but /nonexistent/certs/ca.pem, /nonexistent/certs/cert.pem, /nonexistent/certs/key.pem do not exist (DOCKER_CERT_PATH: /nonexistent/certs)',
    ]);
    expect(loadConfig({ DOCKER_HOST: 'ssh://me@host' }).dockerEndpoint).toBeUndefined();
    // In the cloud the TLS material is a secret's, never a file's or a variable's.
    expect(loadConfig({ ...engine, DOCKER_HOST: 'tcp://10.0.1.5:2376', STEVEDORE_DOCKER_TLS_SECRET: 'stevedore/docker-tls' }).dockerEndpoint).toEqual({
      kind: 'tcp',
      host: '10.0.1.5',
      port: 2376,
      tls: { kind: 'secret', secretId: 'stevedore/docker-tls' },
    });
    expect(problemsOf({ ...engine, STEVEDORE_DOCKER_TLS_SECRET: 'stevedore/docker-tls' })).toEqual([
      'STEVEDORE_DOCKER_TLS_SECRET is set, but DOCKER_HOST "unix:///var/run/docker.sock" is not a tcp://host:port to use it with',
    ]);
  });

  it("takes the log level from STEVEDORE_LOG_LEVEL, else from Powertools' POWERTOOLS_LOG_LEVEL, in any case", () => {
    expect(loadConfig({ POWERTOOLS_LOG_LEVEL: 'warn' }).logLevel).toBe('WARN');
    expect(loadConfig({ STEVEDORE_LOG_LEVEL: 'debug', POWERTOOLS_LOG_LEVEL: 'ERROR' }).logLevel).toBe('DEBUG');
    expect(problemsOf({ STEVEDORE_LOG_LEVEL: 'LOUD' })).toEqual([
      'STEVEDORE_LOG_LEVEL: "LOUD" is not a log level this build has (TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT)',
    ]);
    expect(problemsOf({ POWERTOOLS_LOG_LEVEL: 'chatty' })).toEqual([
      'STEVEDORE_LOG_LEVEL: "CHATTY" is not a log level this build has (TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT)',
    ]);
  });

  it('bounds the progress poll at 26 seconds, so that it answers before API Gateway gives up', () => {
    expect(MAX_POLL_SECONDS).toBe(26);
    expect(loadConfig({ STEVEDORE_POLL_SECONDS: '26' }).pollBoundMs).toBe(26_000);
    expect(problemsOf({ STEVEDORE_POLL_SECONDS: '27' })).toEqual(['STEVEDORE_POLL_SECONDS: "27" must be a whole number from 1 to 26']);
    expect(problemsOf({ STEVEDORE_POLL_SECONDS: '0' })).toEqual(['STEVEDORE_POLL_SECONDS: "0" must be a whole number from 1 to 26']);
  });

  it('serves anonymously by default only on a loopback address, and needs a login on any other', () => {
    expect(loadConfig({}).auth).toBe('anonymous');
    expect(loadConfig({ HOST: '::1' }).auth).toBe('anonymous');
    expect(loadConfig({ HOST: 'localhost' }).auth).toBe('anonymous');
    expect(loadConfig({ HOST: '0.0.0.0' }).auth).toBe('required');
    expect(loadConfig({ HOST: '192.168.1.20' }).auth).toBe('required');
    expect(loadConfig({ STEVEDORE_AUTH: 'required' }).auth).toBe('required');
  });

  it('refuses anonymous mode on an address other machines reach', () => {
    expect(problemsOf({ STEVEDORE_AUTH: 'anonymous', HOST: '0.0.0.0' })).toEqual([
      'STEVEDORE_AUTH: "anonymous" serves everyone who reaches the server without a login, so it is refused with HOST "0.0.0.0", which is not a loopback address; use STEVEDORE_AUTH=required and add users (npm run user -- add <name> --password-stdin)',
    ]);
    expect(problemsOf({ STEVEDORE_AUTH: 'open' })).toEqual(['STEVEDORE_AUTH: "open" is not an auth mode this build has (required, anonymous)']);
  });

  it('reads the session lifetime and the failed-login limit', () => {
    const config = loadConfig({ STEVEDORE_SESSION_HOURS: '1', STEVEDORE_LOGIN_FAILURE_LIMIT: '5', STEVEDORE_LOGIN_FAILURE_WINDOW_MINUTES: '60' });
    expect([config.sessionTtlMs, config.loginFailureLimit, config.loginFailureWindowMs]).toEqual([3600_000, 5, 3600_000]);
    expect(problemsOf({ STEVEDORE_LOGIN_FAILURE_LIMIT: '0' })).toEqual(['STEVEDORE_LOGIN_FAILURE_LIMIT: "0" must be a whole number from 1 to 1000']);
  });
});
