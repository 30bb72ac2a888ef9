// The zod schemas the OpenAPI document is built from agree with the code that builds each
// answer and reads each hand-read body: a field added to one and not the other fails here.
import { describe, expect, it } from 'vitest';
import { loginAnswerSchema } from '../../lib/auth/api-schema.ts';
import { toLoginAnswer } from '../../lib/auth/model.ts';
import { InvalidInput } from '../../lib/errors.ts';
import { createRequestOf } from '../../lib/share/create-request.ts';
import { createRequestSchema } from '../../lib/share/entry-schema.ts';
import { exportTaskSchema, importTaskSchema } from '../../lib/tasks/api-task-schema.ts';
import { toApiTask, type TaskRecord, type TaskState } from '../../lib/tasks/model.ts';

const STATES: Record<TaskState, Partial<TaskRecord>> = {
  waiting: {},
  running: { start: 2, progress: 40 },
  completed: { start: 2, end: 3, result: 0, warnings: ['left out "dev/x"'] },
  aborted: { start: 2, end: 3, result: 1, error: 'engine gone' },
};

function task(kind: 'export' | 'import', state: TaskState): TaskRecord {
  const base = { kind, id: 7, state, type: 'lxc', cid: 'utest', cname: 'utest', user: 'Anonymous', path: '/test/c.tgz', init: 1, owner: 'w1', leaseUntil: 9, changeSeq: 4, uses: ['x'] } satisfies Partial<TaskRecord>;
  const extra = kind === 'export' ? { compress: true, force: false } : { image: 'import', create_params: { image: 'import', name: 'utest', tag: 'latest', type: 'lxc' as const } };
  return { ...base, ...extra, ...STATES[state] };
}

describe('the answer schemas', () => {
  it.each(Object.keys(STATES) as TaskState[])('describe an export and an import task %s, as toApiTask shows them', (state) => {
    // Act
    const exported = exportTaskSchema.safeParse(toApiTask(task('export', state)));
    const imported = importTaskSchema.safeParse(toApiTask(task('import', state)));

    // Assess
    expect(exported.error?.issues ?? []).toEqual([]);
    expect(imported.error?.issues ?? []).toEqual([]);
  });

  it('describe the login answer', () => {
    const answer = toLoginAnswer({ tokenHash: 'h', username: 'admin', loginTime: 0, validUntil: 1, isAdmin: true });
    expect(loginAnswerSchema.safeParse(answer).error?.issues ?? []).toEqual([]);
  });
});

describe('the share-folder creation body', () => {
  const BODIES: unknown[] = [
    { name: 'a', is_dir: true },
    { name: 'a.txt', is_dir: false, context: 'x' },
    { name: 'a.txt', is_dir: false, content: 'x', context: null },
    { name: 'a', is_dir: null },
    { name: '', is_dir: true },
    { is_dir: true },
    { name: 'a' },
    { name: 1, is_dir: true },
    { name: 'a', is_dir: 'yes' },
    { name: 'a', is_dir: false, content: 3 },
    { name: 'a', is_dir: false, context: false },
  ];

  it.each(BODIES.map((body) => [JSON.stringify(body), body]))('is taken by the reader exactly when the schema takes it: %s', (_, body) => {
    // Act
    let read: boolean;
    try {
      createRequestOf(body as Record<string, unknown>);
      read = true;
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidInput);
      read = false;
    }

    // Assess
    expect(read).toBe(createRequestSchema.safeParse(body).success);
  });
});
