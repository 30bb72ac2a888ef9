// What a real `npm start` logs at its most verbose level for a login, an export and a logout:
// JSON lines that name the user and the task, and never a password, a cookie or a session token.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { spawnStevedore, waitUntilReady, type ReadyStevedore } from '../support/local-process.ts';

const PASSWORD = 'logged-never correct horse';
let stevedore: ReadyStevedore;

/** `npm run user -- add <name> --password-stdin` against the running stack's data dir. */
function addUser(dataDir: string, name: string, password: string): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/user-cli.ts', 'add', name, '--password-stdin'], {
    env: { ...process.env, STEVEDORE_DATA_DIR: dataDir },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.stdin.end(`${password}\n`);
  return new Promise((done) => child.on('close', done));
}

beforeAll(async () => {
  stevedore = await waitUntilReady(spawnStevedore({ STEVEDORE_AUTH: 'required', STEVEDORE_LOG_LEVEL: 'DEBUG' }), 110_000);
}, 120_000);

afterAll(async () => {
  stevedore?.child.kill('SIGTERM');
  await stevedore?.exited;
});

describe('the log of npm start', () => {
  it('names the user and the task of a login and an export, and holds no password, cookie or token', async () => {
    // Prepare
    expect(await addUser(stevedore.dataDir, 'logger', PASSWORD)).toBe(0);
    const jar = new CookieJar();
    // Act
    const login = jar.take(await call(stevedore.url, 'POST', '/api/v1/login', `username=logger&password=${encodeURIComponent(PASSWORD)}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expect(login.status).toBe(200);
    const token = jar.get('stevedore_sid')!;
    expect((await call(stevedore.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'logged', image: 'demo', tag: 'latest' }, jar.init())).status).toBe(200);
    const created = await call(stevedore.url, 'POST', '/api/v1/container/lxc/logged/export', { path: 'test/logged.tgz', compress: true }, jar.init());
    expect(created.status).toBe(200);
    let task: { state?: string } | undefined;
    for (let attempt = 0; attempt < 200 && task?.state !== 'completed'; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      const tasks = (await call<Array<{ id: number; state: string }>>(stevedore.url, 'GET', '/api/v1/export/', undefined, jar.init())).body;
      task = tasks.find((t) => t.id === created.body.id);
    }
    expect(task?.state).toBe('completed');
    expect((await call(stevedore.url, 'PUT', '/api/v1/logout', undefined, jar.init())).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200)); // the last request's line
    // Assess
    const output = stevedore.output();
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.route === 'login')).toMatchObject({ message: 'request', status: 200, user: 'logger' });
    expect(lines.find((line) => line.route === 'export-create')).toMatchObject({ message: 'request', status: 200, user: 'logger', taskId: created.body.id });
    expect(lines.find((line) => line.message === 'task finished')).toMatchObject({ kind: 'export', taskId: created.body.id, state: 'completed' });
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(encodeURIComponent(PASSWORD));
    expect(output).not.toContain(token);
    expect(output).not.toMatch(/stevedore_sid|cookie/i);
  });
});
