// The walkthrough shipped for users (examples/walkthrough.sh) runs every example of the spec
// against the local server, waiting for tasks as a client must, and finishes cleanly.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTestStack } from '../support/stack.ts';

const stack = useTestStack({}, { worker: true });

describe('examples/walkthrough.sh', () => {
  it('runs every spec example in order and ends with the imported container', async () => {
    const { stdout, stderr } = await promisify(execFile)('bash', ['examples/walkthrough.sh'], {
      env: { ...process.env, BASE: stack.url },
      timeout: 90_000,
    });
    expect(stderr).toContain('walkthrough: every example answered as expected');
    // The last answer is the imported container's config, with the request's settings applied.
    const config = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    expect(config).toMatchObject({ name: 'utest_import', network: { hostname: 'CustomHostName', port: [[12345, 1234, 'udp']] } });
  });
});
