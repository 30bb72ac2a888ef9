// The command-line client (bin/stevedore) as a user runs it: a subprocess against a stack
// whose every route needs a session, with no terminal (pipes), its session file in a config
// directory of the test's own.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../lib/auth/users.ts';
import { call, waitForTask } from '../support/api.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack({ STEVEDORE_AUTH: 'required' }, { worker: true, faults: true });

const PASSWORD = 'a long passphrase';
const NODE = join('node_modules', '.bin', 'node');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  stdin?: string;
  configHome?: string;
  /** Called with stderr as it grows, for a test that acts on what the client printed. */
  onStderr?: (stderr: string, client: ChildProcess) => void;
}

let configHome: string;

function stevedore(args: string[], options: RunOptions = {}): Promise<Run> {
  const child = spawn(NODE, ['bin/stevedore', ...args], {
    env: { ...process.env, STEVEDORE_URL: stack.url, XDG_CONFIG_HOME: options.configHome ?? configHome },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
    options.onStderr?.(run.stderr, child);
  });
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...run, code }));
  });
}

async function sessionCookie(): Promise<string> {
  const sessions = JSON.parse(await readFile(join(configHome, 'stevedore', 'session.json'), 'utf8')) as Record<string, string>;
  return sessions[stack.url]!;
}

async function createContainer(name: string): Promise<void> {
  const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name, image: 'demo', tag: 'latest' }, { headers: { cookie: await sessionCookie() } });
  expect(created.status).toBe(200);
}

/** Config directories of the test's own, each removed afterwards. */
const homes: string[] = [];
async function newConfigHome(prefix: string): Promise<string> {
  homes.push(await mkdtemp(join(tmpdir(), prefix)));
  return homes.at(-1)!;
}
afterAll(() => Promise.all(homes.map((home) => rm(home, { recursive: true, force: true }))));

beforeAll(async () => {
  configHome = await newConfigHome('stevedore-cli-');
  await addUser(stack.services.auth, 'admin', PASSWORD, true);
  expect((await stevedore(['login', 'admin', '--password-stdin'], { stdin: `${PASSWORD}\n` })).code).toBe(0);
  await createContainer('cli-src');
  await createContainer('cli-broken');
  stack.faults!.truncate('cli-broken');
});

describe('stevedore login and logout', () => {
  it('keeps the session in a file only its owner reads, and forgets it at logout', async () => {
    // Prepare
    const home = await newConfigHome('stevedore-cli-login-');
    const file = join(home, 'stevedore', 'session.json');
    // Act
    const login = await stevedore(['login', 'admin', '--password-stdin'], { stdin: `${PASSWORD}\n`, configHome: home });
    const mode = (await stat(file)).mode & 0o777;
    const dirMode = (await stat(join(home, 'stevedore'))).mode & 0o777;
    const listed = await stevedore(['ls'], { configHome: home });
    const logout = await stevedore(['logout'], { configHome: home });
    const afterLogout = await stevedore(['ls'], { configHome: home });
    // Assess
    expect(login).toMatchObject({ code: 0, stdout: `Logged in to ${stack.url} as admin (administrator)\n` });
    expect(mode).toBe(0o600);
    expect(dirMode).toBe(0o700);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(/^test\s+rw\s/m);
    expect(logout).toMatchObject({ code: 0, stdout: `Logged out of ${stack.url}\n` });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(afterLogout).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'stevedore: Not logged in: POST /api/v1/login first, and send its session cookie (log in with: stevedore login <user>)\n',
    });
  });

  it('refuses a wrong password with the server message and keeps no session', async () => {
    // Prepare
    const home = await newConfigHome('stevedore-cli-wrong-');
    // Act
    const login = await stevedore(['login', 'admin', '--password-stdin'], { stdin: 'wrong\n', configHome: home });
    // Assess
    expect(login).toMatchObject({ code: 1, stdout: '', stderr: 'stevedore: Invalid username or password\n' });
    await expect(stat(join(home, 'stevedore', 'session.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('stevedore ls', () => {
  it('answers a share folder listing as JSON with --json', async () => {
    // Prepare
    expect((await stevedore(['mkdir', 'test/cli-listed'])).code).toBe(0);
    // Act
    const listed = await stevedore(['ls', 'test', '--json']);
    // Assess
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toContainEqual({ is_dir: true, name: 'cli-listed', type: 'd' });
  });
});

describe('stevedore export and import --wait', () => {
  it('follows an export and an import of its archive to their ends, answering the tasks as JSON', async () => {
    // Act
    const exported = await stevedore(['export', 'lxc', 'cli-src', 'test/cli-src.tgz', '--wait', '--json', '--events']);
    const imported = await stevedore(['import', 'test/cli-src.tgz', '--name', 'cli-copy', '--hostname', 'copy', '--wait', '--json']);
    const containers = await stevedore(['containers', '--json']);
    // Assess
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    const lines = exported.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ state: 'completed', result: 0, path: '/test/cli-src.tgz', cid: 'cli-src', compress: true });
    expect(lines.every((task) => task.id === lines.at(-1)!.id)).toBe(true);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(imported.stdout)).toMatchObject({
      state: 'completed',
      result: 0,
      path: '/test/cli-src.tgz',
      cname: 'cli-copy',
      create_params: { type: 'lxc', name: 'cli-copy', network: { hostname: 'copy' } },
    });
    expect(JSON.parse(containers.stdout)).toContainEqual(expect.objectContaining({ name: 'cli-copy', type: 'lxc' }));
  });

  it('prints plain progress lines without carriage returns when stderr is no terminal', async () => {
    // Prepare: the export stops short of its end until the client has shown its bytes.
    const stall = stack.faults!.stallEnd('cli-src');
    let released = false;
    const releaseOnceShownRunning = (stderr: string) => {
      if (!released && / of \S+ \S+ /.test(stderr)) {
        released = true;
        void stall.reached.then(() => stall.release());
      }
    };
    // Act
    const run = await stevedore(['export', 'lxc', 'cli-src', 'test/cli-plain.tar', '--wait'], { onStderr: releaseOnceShownRunning });
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^export \d+ completed: \/test\/cli-plain\.tar in \d+:\d\d\n$/);
    expect(run.stderr).not.toContain('\r');
    const lines = run.stderr.trimEnd().split('\n');
    const size = String.raw`\d+(\.\d)? (B|KiB|MiB)`;
    const running = String.raw`[ \d]\d%( {2}${size} of ${size})?( {2}${size}\/s)? {2}\d+:\d\d elapsed {2}ETA (--|\d+:\d\d)`;
    const line = new RegExp(String.raw`^export \d+ \/test\/cli-plain\.tar: (waiting for a worker|${running})$`);
    for (const shown of lines) expect(shown).toMatch(line);
    expect(lines.some((shown) => /: +\d+% {2}\S+ \S+ of /.test(shown))).toBe(true);
  });

  it('stops following at Ctrl-C with 130, and the task goes on to its end on the server', async () => {
    // Prepare: the export stops short of its end until the client was interrupted.
    const stall = stack.faults!.stallEnd('cli-src');
    let interrupted = false;
    const interruptOnceRunning = (stderr: string, client: ChildProcess) => {
      if (!interrupted && / of \S+ \S+ /.test(stderr)) {
        interrupted = true;
        client.kill('SIGINT');
      }
    };
    // Act
    const run = await stevedore(['export', 'lxc', 'cli-src', 'test/cli-interrupted.tar', '--wait'], { onStderr: interruptOnceRunning });
    await stall.reached;
    stall.release();
    // Assess
    expect(run.code).toBe(130);
    expect(run.stdout).toBe('');
    const [, id] = run.stderr.match(/\nstevedore: stopped following export (\d+); it goes on on the server \(see: stevedore tasks export\)\n$/) ?? [];
    expect(id, run.stderr).toBeDefined();
    expect(await waitForTask(stack.url, 'export', Number(id), 60_000, { headers: { cookie: await sessionCookie() } })).toMatchObject({ state: 'completed', result: 0, path: '/test/cli-interrupted.tar' });
  });

  it('exits 4 with the error in one line on stderr when the task aborts', async () => {
    // Act
    const run = await stevedore(['export', 'lxc', 'cli-broken', 'test/cli-broken.tgz', '--wait', '--json']);
    // Assess
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'aborted', result: 1, path: '/test/cli-broken.tgz' });
    expect(run.stderr).toMatch(/^stevedore: export \d+ aborted: [^\n]+\n$/);
  });

  it('exits 3 with one line on stderr when the server cannot be reached', async () => {
    // Prepare: a port nothing listens on any more.
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    server.close();
    await once(server, 'close');
    // Act
    const run = await stevedore(['--url', `http://127.0.0.1:${port}`, 'tasks']);
    // Assess
    expect(run).toMatchObject({ code: 3, stdout: '' });
    expect(run.stderr).toBe(`stevedore: cannot reach http://127.0.0.1:${port}: ECONNREFUSED (is the server running? give it with --url or STEVEDORE_URL)\n`);
  });
});
