// What a fuzz pass finds in the stack before it starts: a share folder holding an archive and a
// folder, and a built-in container, so that bent requests reach real work and not only 404s.
import type { AwsClients } from '../../../lib/aws/clients.ts';
import type { BuiltinRuntime } from '../../../lib/runtimes/builtin.ts';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { provisionDemoImage } from '../../../infra/local/demo-image.ts';
import { buildTar, configEntry, plainRootfsEntries } from '../../support/archives.ts';

export async function seedFuzzData(url: string, aws: AwsClients, bucketName: string, builtin: BuiltinRuntime, headers: Record<string, string> = {}): Promise<void> {
  const archive = await buildTar([configEntry({ type: 'lxc', name: 'web', image: 'demo' }), ...plainRootfsEntries().map((e) => ({ ...e, name: `rootfs/${e.name}` }))], { gzip: true });
  for (const [key, body] of [['test/', ''], ['test/fuzz/', ''], ['test/a.tgz', archive], ['test/a.tar', archive], ['test/fuzz/note.txt', 'note']] as const) {
    await aws.s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: body }));
  }
  await provisionDemoImage(builtin);
  const created = await fetch(`${url}/api/v1/container`, { method: 'POST', headers, body: JSON.stringify({ type: 'lxc', name: 'web', image: 'demo', tag: 'latest' }) });
  if (created.status !== 200) throw new Error(`the fuzz's container was not made: ${created.status} ${await created.text()}`);
}
