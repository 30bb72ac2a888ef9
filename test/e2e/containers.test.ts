// The container endpoints of COMPAT.md, on the built-in runtime.
import { beforeAll, describe, expect, it } from 'vitest';
import { provisionDemoImage } from '../../infra/local/demo-image.ts';
import { call } from '../support/api.ts';
import { bucketHelpers } from '../support/bucket.ts';
import { INVALID_SETTINGS, VALID_SETTINGS } from '../support/container-fields.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();

const { keysUnder } = bucketHelpers(stack);
const rootfsObjects = () => keysUnder('.stevedore/containers/');

beforeAll(async () => {
  await provisionDemoImage(stack.services.builtinRuntime);
});

describe('POST /api/v1/container', () => {
  it('creates an LXC container whose id is its name, and keeps the rest of the request as its config', async () => {
    // Act
    const created = await call(stack.url, 'POST', '/api/v1/container', {
      type: 'lxc',
      name: 'utest',
      image: 'demo',
      tag: 'latest',
      autostart: true,
      network: { hostname: 'box', port: [[8080, 80, 'tcp']] },
      environment: ['A=1'],
    });
    // Assess
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: 'utest', image: 'demo:latest', name: 'utest', state: 'stopped', type: 'lxc' });
    const config = await call(stack.url, 'GET', '/api/v1/container/lxc/utest/all');
    expect(config.body).toMatchObject({ autostart: true, image: 'demo', name: 'utest', network: { hostname: 'box', port: [[8080, 80, 'tcp']] }, resource: {}, type: 'lxc', volume: {}, environment: ['A=1'] });
    expect(typeof config.body.arch).toBe('string');
  });

  it('gives a Docker container a 64-hex id', async () => {
    const created = await call(stack.url, 'POST', '/api/v1/container', { type: 'docker', name: 'DockerTestAPI', image: 'demo', tag: 'latest' });
    expect(created.status).toBe(200);
    expect(created.body.id).toMatch(/^[0-9a-f]{64}$/);
    expect((await call(stack.url, 'GET', `/api/v1/container/docker/${created.body.id}`)).body).toEqual(created.body);
  });

  const refusals: [string, Record<string, unknown>, number, string | RegExp][] = [
    ['a taken name', { type: 'lxc', name: 'utest', image: 'demo', tag: 'latest' }, 400, 'Container utest already exist!'],
    ['a name of one character', { type: 'lxc', name: 'a', image: 'demo', tag: 'latest' }, 400, /Invalid container name/],
    ['a name starting with a dash', { type: 'lxc', name: '-bad', image: 'demo', tag: 'latest' }, 400, /Invalid container name/],
    ['a name with a slash', { type: 'lxc', name: 'a/b', image: 'demo', tag: 'latest' }, 400, /Invalid container name/],
    ['a name of 65 characters', { type: 'lxc', name: `a${'b'.repeat(64)}`, image: 'demo', tag: 'latest' }, 400, /Invalid container name/],
    ['an unknown type', { type: 'vm', name: 'vm1', image: 'demo', tag: 'latest' }, 400, /lxc.*docker/],
    ['a missing type', { name: 'x1', image: 'demo', tag: 'latest' }, 400, '"type" is required'],
    ['a missing image', { type: 'lxc', name: 'x2', tag: 'latest' }, 400, '"image" is required'],
    ['a missing tag', { type: 'lxc', name: 'x3', image: 'demo' }, 400, '"tag" is required'],
    ['an unknown image', { type: 'lxc', name: 'x4', image: 'ubuntu', tag: 'trusty' }, 404, 'Image ubuntu:trusty not found'],
    ['a network that is not an object', { type: 'lxc', name: 'x5', image: 'demo', tag: 'latest', network: 'host' }, 400, /"network" must be a JSON object/],
  ];
  for (const [what, body, status, message] of refusals) {
    it(`refuses ${what} and creates nothing`, async () => {
      // Prepare
      const before = (await call(stack.url, 'GET', '/api/v1/container')).body;
      const objectsBefore = await rootfsObjects();
      // Act
      const response = await call(stack.url, 'POST', '/api/v1/container', body);
      // Assess
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(status);
      if (typeof message === 'string') expect(response.body.error.message).toBe(message);
      else expect(response.body.error.message).toMatch(message);
      expect((await call(stack.url, 'GET', '/api/v1/container')).body).toEqual(before);
      expect(await rootfsObjects()).toEqual(objectsBefore);
    });
  }
});

describe('POST /api/v1/container settings', () => {
  const base = { type: 'lxc', image: 'demo', tag: 'latest' };

  it('stores every documented setting exactly as sent', async () => {
    // Act
    const created = await call(stack.url, 'POST', '/api/v1/container', { ...base, name: 'settings_ok', ...VALID_SETTINGS });
    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const config = (await call(stack.url, 'GET', '/api/v1/container/lxc/settings_ok/all')).body;
    expect(config).toEqual({ arch: expect.any(String), image: 'demo', name: 'settings_ok', type: 'lxc', ...VALID_SETTINGS });
  });

  it('takes a memory given as a number of bytes, and the spec example of an import body', async () => {
    const bytes = await call(stack.url, 'POST', '/api/v1/container', { ...base, name: 'memory_bytes', resource: { limit: { memory: 512 * 1024 * 1024 } } });
    const example = await call(stack.url, 'POST', '/api/v1/container', {
      ...base,
      name: 'spec_example',
      network: { hostname: 'CustomHostName', port: [[12345, 1234, 'udp']] },
      resource: { device: [['allow', 'video4linux_(81)', 'rw']], limit: { cputime: 512, cpuweight: 512, memory: '768m' } },
      volume: { host: { '/var': { bind: '/mnt/vol1', ro: true }, '/tmp': { bind: '/mnt/vol2', ro: false } } },
    });
    expect(bytes.status, JSON.stringify(bytes.body)).toBe(200);
    expect(example.status, JSON.stringify(example.body)).toBe(200);
  });

  INVALID_SETTINGS.forEach(([what, fields, message], index) => {
    it(`refuses ${what} with 400 naming the field, and creates nothing`, async () => {
      // Prepare
      const name = `invalid_${index}`;
      const before = (await call(stack.url, 'GET', '/api/v1/container')).body;
      const objectsBefore = await rootfsObjects();
      // Act
      const response = await call(stack.url, 'POST', '/api/v1/container', { ...base, name, ...fields });
      // Assess
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: { code: 400, message: expect.any(String) } });
      if (typeof message === 'string') expect(response.body.error.message).toBe(message);
      else expect(response.body.error.message).toMatch(message);
      expect(response.body.error.message.length).toBeLessThan(300);
      expect((await call(stack.url, 'GET', '/api/v1/container')).body).toEqual(before);
      expect((await call(stack.url, 'GET', `/api/v1/container/lxc/${name}`)).status).toBe(404);
      expect(await rootfsObjects()).toEqual(objectsBefore);
    });
  });
});

describe('reading and removing containers', () => {
  it('lists containers as basic objects', async () => {
    const listed = (await call(stack.url, 'GET', '/api/v1/container')).body as Record<string, unknown>[];
    expect(listed.map((c) => c.name)).toEqual(expect.arrayContaining(['utest', 'DockerTestAPI']));
    for (const container of listed) expect(Object.keys(container).sort()).toEqual(['id', 'image', 'name', 'state', 'type']);
  });

  it('answers 404 for an unknown container, and 400 for an unknown type', async () => {
    expect((await call(stack.url, 'GET', '/api/v1/container/lxc/nobody')).status).toBe(404);
    expect((await call(stack.url, 'GET', '/api/v1/container/lxc/nobody/all')).status).toBe(404);
    expect((await call(stack.url, 'DELETE', '/api/v1/container/lxc/nobody')).status).toBe(404);
    expect((await call(stack.url, 'GET', '/api/v1/container/vm/utest')).body.error.code).toBe(400);
  });

  it('removes a container with its root filesystem, and frees its name', async () => {
    // Prepare
    await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'shortlived', image: 'demo', tag: 'latest' });
    const objectsBefore = await rootfsObjects();
    // Act
    const removed = await call(stack.url, 'DELETE', '/api/v1/container/lxc/shortlived');
    // Assess
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({});
    expect((await call(stack.url, 'GET', '/api/v1/container/lxc/shortlived')).status).toBe(404);
    expect((await rootfsObjects()).length).toBe(objectsBefore.length - 1);
    expect((await call(stack.url, 'POST', '/api/v1/container', { type: 'lxc', name: 'shortlived', image: 'demo', tag: 'latest' })).status).toBe(200);
  });
});
