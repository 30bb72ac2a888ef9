// Users as an operator manages them (`npm run user`, run here as its own process against this
// file's table), and what a session changes where STEVEDORE_AUTH is `anonymous` (the default of
// `npm start` on loopback): nothing is refused, and a task records who asked for it.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { call } from '../support/api.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();
const ROOT = resolve(import.meta.dirname, '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run user -- <args>`, with `stdin` piped in, pointed at this file's table. */
function userCli(args: string[], stdin = ''): Promise<Run> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: stack.cfg.region,
    AWS_ENDPOINT_URL_DYNAMODB: stack.cfg.dynamoEndpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    STEVEDORE_TABLE: stack.cfg.tableName,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/user-cli.ts', ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

const login = (username: string, password: string) =>
  call(stack.url, 'POST', '/api/v1/login', `username=${encodeURIComponent(username)}&password=${encodeURIComponent(password)}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });

describe('npm run user', () => {
  it('adds a user that can then log in, changes its password, lists and removes it', async () => {
    const added = await userCli(['add', 'alice', '--admin', '--password-stdin'], 'first secret pass\n');
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain('added alice (admin)');
    expect(added.stdout).not.toContain('first secret pass');
    expect((await login('alice', 'first secret pass')).body).toMatchObject({ anonymous: false, isAdmin: true, username: 'alice' });

    // The password is never kept as given: the table holds its argon2id hash only.
    const stored = await stack.services.auth.getUser('alice');
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(JSON.stringify(stored)).not.toContain('first secret pass');

    expect((await userCli(['passwd', 'alice', '--password-stdin'], 'second secret pass')).code).toBe(0);
    expect((await login('alice', 'first secret pass')).status).toBe(401);
    expect((await login('alice', 'second secret pass')).status).toBe(200);

    const listed = await userCli(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^alice\tadmin\t\d{4}-/m);

    expect((await userCli(['remove', 'alice'])).code).toBe(0);
    expect((await login('alice', 'second secret pass')).status).toBe(401);
    expect((await userCli(['list'])).stdout).not.toContain('alice');
  });

  it('refuses a password on the command line, a user added twice and a short password', async () => {
    const inArgv = await userCli(['add', 'bob', '--password=hunter22']);
    expect(inArgv.code).toBe(2);
    expect(inArgv.stderr).toContain('a password is never taken from the command line');
    expect(inArgv.stderr).not.toContain('hunter22');
    expect((await userCli(['add', 'bob'])).code).toBe(2);

    expect((await userCli(['add', 'bob', '--password-stdin'], 'long enough pass')).code).toBe(0);
    const twice = await userCli(['add', 'bob', '--password-stdin'], 'long enough pass');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('User "bob" already exists');
    const short = await userCli(['passwd', 'bob', '--password-stdin'], 'short');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 8 characters');
    expect((await userCli(['remove', 'nobody'])).stderr).toContain('User "nobody" not found');
  });
});

describe('a session where STEVEDORE_AUTH is anonymous', () => {
  beforeAll(async () => {
    await provisionDemoImage(stack.services.builtinRuntime);
    expect((await userCli(['add', 'carol', '--password-stdin'], 'carol password')).code).toBe(0);
    expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'owned', image: 'demo', tag: 'latest' })).status).toBe(200);
  });

  it('records "Anonymous" on a task asked for without a session, and the user name with one', async () => {
    const anonymous = await call(stack.url, 'POST', '/api/v1/container/lxc/owned/export', { path: 'test/anonymous.tar' });
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.user).toBe('Anonymous');

    const jar = new CookieJar();
    expect(jar.take(await login('carol', 'carol password')).status).toBe(200);
    const owned = await call(stack.url, 'POST', '/api/v1/container/lxc/owned/export', { path: 'test/owned.tar' }, jar.init());
    expect(owned.status).toBe(200);
    expect(owned.body.user).toBe('carol');
    const listed = await call<Record<string, unknown>[]>(stack.url, 'GET', '/api/v1/export/');
    expect(listed.body.map((t) => [t.path, t.user])).toEqual(expect.arrayContaining([['/test/anonymous.tar', 'Anonymous'], ['/test/owned.tar', 'carol']]));
  });

  it('answers a request with a stale cookie as an anonymous one, and refresh with 401', async () => {
    const jar = new CookieJar();
    jar.set('stevedore_sid', 'A'.repeat(43));
    expect((await call(stack.url, 'GET', '/api/v1/export/', undefined, jar.init())).status).toBe(200);
    expect((await call(stack.url, 'GET', '/api/v1/login_refresh', undefined, jar.init())).status).toBe(401);
  });
});
