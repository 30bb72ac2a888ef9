// What a task's `error` says for the domain's errors: a person must be able to act on it.
import { describe, expect, it } from 'vitest';
import { InUse, MissingPath } from '../../lib/errors.ts';
import { failureMessage, TaskFailure } from '../../lib/worker/failure.ts';

describe('failureMessage', () => {
  it('says that a missing share path does not exist, not only its name', () => {
    expect(failureMessage(new MissingPath('test/gone'))).toBe('test/gone does not exist (any more); nothing was written');
  });

  it('keeps the words of the other failures as they are', () => {
    expect(failureMessage(new InUse('test/c.tgz is in use by unfinished export task 3'))).toBe('test/c.tgz is in use by unfinished export task 3');
    expect(failureMessage(new TaskFailure('Container utest no longer exists'))).toBe('Container utest no longer exists');
  });
});
