// The runtimes of one process, one per container type, as configuration chose them
// (`STEVEDORE_DOCKER_RUNTIME`, `STEVEDORE_LXC_RUNTIME`). Callers ask the registry, which hands
// each request to the runtime of its type and keeps container names unique across runtimes.
import type { ContainerConfig, ContainerSpec, ContainerSummary, ContainerType } from '../container/model.ts';
import { NameTaken } from '../errors.ts';
import type { AbandonedImports, Container, ContainerRuntime, ImportOptions } from './runtime.ts';

/** The original server's message for a name in use (sic). */
export const nameTaken = (name: string) => new NameTaken(`Container ${name} already exist!`);

export class RuntimeRegistry {
  private readonly byType: ReadonlyMap<ContainerType, ContainerRuntime>;

  constructor(runtimes: readonly ContainerRuntime[]) {
    const byType = new Map<ContainerType, ContainerRuntime>();
    for (const runtime of runtimes) {
      for (const type of runtime.types) {
        if (byType.has(type)) throw new Error(`two runtimes serve ${type} containers`);
        byType.set(type, runtime);
      }
    }
    this.byType = byType;
  }

  /** Each runtime once, in the order they were given. */
  get runtimes(): ContainerRuntime[] {
    return [...new Set(this.byType.values())];
  }

  forType(type: ContainerType): ContainerRuntime {
    const runtime = this.byType.get(type);
    if (!runtime) throw new Error(`no runtime serves ${type} containers`);
    return runtime;
  }

  async list(): Promise<ContainerSummary[]> {
    return (await Promise.all(this.runtimes.map((runtime) => runtime.list()))).flat();
  }

  find(type: ContainerType, id: string): Promise<Container | undefined> {
    return this.forType(type).find(type, id);
  }

  async isNameTaken(name: string): Promise<boolean> {
    return (await Promise.all(this.runtimes.map((runtime) => runtime.isNameTaken(name)))).some(Boolean);
  }

  async create(spec: ContainerSpec): Promise<ContainerSummary> {
    await this.refuseNameElsewhere(spec);
    return this.forType(spec.type).create(spec);
  }

  remove(type: ContainerType, id: string): Promise<void> {
    return this.forType(type).remove(type, id);
  }

  async importRootfs(spec: ContainerSpec, config: ContainerConfig, tar: AsyncIterable<Buffer>, options?: ImportOptions): Promise<ContainerSummary> {
    await this.refuseNameElsewhere(spec);
    return this.forType(spec.type).importRootfs(spec, config, tar, options);
  }

  /** Every runtime's leftovers of abandoned imports (see ContainerRuntime.removeAbandonedImports), named. */
  async removeAbandonedImports(abandoned: AbandonedImports): Promise<string[]> {
    const removed: string[] = [];
    for (const runtime of this.runtimes) removed.push(...((await runtime.removeAbandonedImports?.(abandoned)) ?? []));
    return removed;
  }

  /** A runtime checks its own names; a name another runtime holds is refused here. */
  private async refuseNameElsewhere(spec: ContainerSpec): Promise<void> {
    const target = this.forType(spec.type);
    for (const runtime of this.runtimes) {
      if (runtime !== target && (await runtime.isNameTaken(spec.name))) throw nameTaken(spec.name);
    }
  }
}
