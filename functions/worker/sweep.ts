// The stale-task sweep, run on a schedule: no task stays `running` after its worker died.
import { servicesFromEnvironment } from '../../lib/services.ts';
import { sweepStaleTasks } from '../../lib/worker/sweep.ts';

export const handler = async (): Promise<{ swept: number }> => ({ swept: (await sweepStaleTasks(servicesFromEnvironment())).length });
