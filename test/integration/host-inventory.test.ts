// The host inventory on DynamoDB Local: what a host worker publishes is what an API that cannot
// reach the host lists and finds, a container its host no longer has is withdrawn, and what a
// host stopped publishing goes stale; one host never withdraws another's containers.
import { describe, expect, it } from 'vitest';
import { configFor, type ContainerSpec } from '../../lib/container/model.ts';
import { demoRootfs } from '../../lib/runtimes/demo-rootfs.ts';
import { HostInventoryRuntime, publishInventory, STALE_AFTER_MS } from '../../lib/runtimes/host-inventory.ts';
import { MemoryRuntime } from '../support/memory-runtime.ts';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack();
const spec = (name: string): ContainerSpec => ({ type: 'lxc', name, image: 'demo', tag: 'latest', autostart: true, network: { hostname: `${name}.lan` }, resource: {}, volume: {} });

async function hostWith(...names: string[]): Promise<MemoryRuntime> {
  const runtime = new MemoryRuntime(['lxc']);
  await runtime.addImage('demo', 'latest', demoRootfs());
  for (const name of names) await runtime.create(spec(name));
  return runtime;
}

describe('the host inventory', () => {
  it('lists and finds what the hosts published, withdraws what a host no longer has, and forgets a host that stopped publishing', async () => {
    let now = 1_000_000;
    const inventory = { doc: stack.aws.doc, table: stack.cfg.tableName, now: () => now };
    const api = new HostInventoryRuntime(inventory, ['lxc']);
    const first = await hostWith('a1', 'a2');
    const second = await hostWith('b1');

    expect(await publishInventory(first, ['lxc'], inventory, 'host-a')).toBe(2);
    expect(await publishInventory(second, ['lxc'], inventory, 'host-b')).toBe(1);
    expect((await api.list()).map((c) => c.name).sort()).toEqual(['a1', 'a2', 'b1']);
    expect((await api.find('lxc', 'a1'))?.config).toEqual({ ...configFor(spec('a1'), 'amd64') });
    expect(await api.isNameTaken('b1')).toBe(true);
    expect(await api.find('docker', 'a1')).toBeUndefined();

    await first.remove('lxc', 'a2');
    now += 1000;
    await publishInventory(first, ['lxc'], inventory, 'host-a');
    expect((await api.list()).map((c) => c.name).sort()).toEqual(['a1', 'b1']);
    expect(await api.find('lxc', 'a2')).toBeUndefined();

    // host-b stops; host-a goes on publishing.
    now += STALE_AFTER_MS;
    await publishInventory(first, ['lxc'], inventory, 'host-a');
    expect((await api.list()).map((c) => c.name)).toEqual(['a1']);
    expect(await api.isNameTaken('b1')).toBe(false);
  });

  it('refuses to create or remove a host\'s container, naming where that happens', async () => {
    const api = new HostInventoryRuntime({ doc: stack.aws.doc, table: stack.cfg.tableName }, ['lxc']);
    await expect(api.create(spec('new'))).rejects.toThrow('lxc containers are created on their container host');
    await expect(api.remove('lxc', 'a1')).rejects.toThrow('lxc containers are removed on their container host');
  });
});
