// What a handler or the worker receives: the configuration and the domain's ports. The domain
// depends on these interfaces only; lib/services.ts (the composition root) supplies adapters.
import type { AuthStore } from './auth/auth-store.ts';
import type { Config } from './config.ts';
import type { EventLog } from './events/event-log.ts';
import type { RuntimeRegistry } from './runtimes/registry.ts';
import type { ShareStorage } from './share/share-storage.ts';
import type { TaskStore } from './tasks/task-store.ts';

export interface Services {
  readonly config: Config;
  readonly tasks: TaskStore;
  readonly storage: ShareStorage;
  readonly runtimes: RuntimeRegistry;
  readonly events: EventLog;
  readonly auth: AuthStore;
}

/** What the worker runs tasks with: the events of their state changes go through the task store, and it logs nobody in. */
export type WorkerServices = Omit<Services, 'events' | 'auth'>;
