// The stale-task sweep: functions/worker/sweep.ts on a schedule, taking back tasks whose
// worker died (no progress write within the lease) and marking them aborted.
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { RouteAccess } from '../../lib/http/route.ts';
import { StevedoreFunction, type BackgroundFunctionProps } from './function.ts';

/** The sweep rewrites task items only; the pending uploads of tasks it takes back are the bucket lifecycle's to abort. */
export const SWEEP_ACCESS: RouteAccess = { table: 'write' };
export const SWEEP_SCHEDULE = Duration.minutes(1);
/** Shorter than the schedule, so runs do not pile up. */
export const SWEEP_TIMEOUT = Duration.seconds(50);

export type TaskSweepProps = BackgroundFunctionProps;

export class TaskSweep extends Construct {
  readonly sweep: StevedoreFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: TaskSweepProps) {
    super(scope, id);
    this.sweep = new StevedoreFunction(this, 'Sweep', {
      name: 'worker-sweep',
      description: 'stevedore: takes back tasks whose worker stopped reporting progress',
      bundle: props.bundle,
      access: SWEEP_ACCESS,
      table: props.table,
      bucket: props.bucket,
      environment: props.environment,
      timeout: SWEEP_TIMEOUT,
      memorySize: 256,
    });
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'stevedore: run the stale-task sweep',
      schedule: events.Schedule.rate(SWEEP_SCHEDULE),
      // A missed run is replaced by the next one a minute later: no long retry tail.
      targets: [new targets.LambdaFunction(this.sweep.function, { retryAttempts: 2, maxEventAge: Duration.minutes(1) })],
    });
  }
}
