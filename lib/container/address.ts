// How a request names a container, as its engine does: an LXC container by its name (which is
// its id); a Docker one by its 64-hex id, its name, or a prefix of the id of 12 or more
// characters (what Docker's CLI shows; the engine would take shorter ones, the API does not).
import type { ContainerSummary } from './model.ts';

export const MIN_ID_PREFIX = 12;

export function isAddressOf(container: Pick<ContainerSummary, 'id' | 'name' | 'type'>, address: string): boolean {
  if (container.id === address || container.name === address) return true;
  return container.type === 'docker' && address.length >= MIN_ID_PREFIX && container.id.startsWith(address);
}
