// The stale-task sweep, run on a schedule: no task stays `running` after its worker died, nor
// `waiting` for a host worker that is not there (lib/worker/sweep.ts). It holds the table
// only: the pending upload of a task it takes back is left to the bucket's lifecycle rule,
// which aborts incomplete uploads after a day.
import { servicesFromEnvironment } from '../../lib/compose/compose.ts';
import { dynamoTasks } from '../../lib/compose/dynamo-tasks.ts';
import { sweepStaleTasks } from '../../lib/worker/sweep.ts';

/** What the sweep is composed of; its access in infra/aws/task-sweep.ts allows exactly these. */
export const adapters = { tasks: dynamoTasks };
const services = servicesFromEnvironment(adapters);

export const handler = async (): Promise<{ swept: number }> => ({ swept: (await sweepStaleTasks(services(), Date.now(), services().config)).length });
