// Child process of the benchmarks: runs one waiting task as the worker would, then prints
// its wall time and this process's peak RSS as one JSON line.
import { taskStore } from '../../lib/tasks/store.ts';
import type { TaskKind } from '../../lib/tasks/model.ts';
import { runTask } from '../../lib/worker/run-task.ts';

const [kind, id] = process.argv.slice(2) as [TaskKind, string];
const started = performance.now();
await runTask({ kind, id: Number(id) });
const seconds = (performance.now() - started) / 1000;
const task = await taskStore().get(kind, Number(id));
if (task?.state !== 'completed') {
  console.error(`task ${kind} ${id} ended ${task?.state}: ${task?.error}`);
  process.exit(1);
}
// maxRSS is in KiB.
console.log(JSON.stringify({ seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
process.exit(0);
