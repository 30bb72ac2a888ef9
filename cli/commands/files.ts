// ls, mkdir, rm: the share folders' file operations (GET/POST/DELETE /api/v1/sharefolder/...).
import type { Command } from 'commander';
import { contextOf, example, printJson, printTable } from '../context.ts';
import { UsageError } from '../errors.ts';
import { encodedPath, namesFolder, segmentsOf } from '../share-path.ts';

interface Entry {
  name: string;
  is_dir: boolean;
  write?: boolean;
  usedsize?: string;
  totalsize?: string;
}

export function fileCommands(program: Command): void {
  example(
    program
      .command('ls')
      .description('list the share folders, or what a share path holds')
      .argument('[share path]', 'a folder, like test or test/backups (none: the share folders)')
      .action(async (path: string | undefined, _options: unknown, command: Command) => {
        const cli = contextOf(command);
        const segments = segmentsOf(path ?? '');
        const answer = await cli.client.call<Entry[]>('GET', `/sharefolder/${encodedPath(segments)}`);
        if (cli.json) return printJson(cli, answer.body);
        if (segments.length === 0) {
          printTable(cli, ['NAME', 'ACCESS', 'USED', 'SIZE'], answer.body.map((e) => [e.name, e.write ? 'rw' : 'ro', e.usedsize ?? '', e.totalsize ?? '']));
        } else {
          for (const entry of answer.body) cli.stdout.write(`${entry.name}${entry.is_dir ? '/' : ''}\n`);
        }
      }),
    'stevedore ls test',
  );

  example(
    program
      .command('mkdir')
      .description('create a folder in a share folder')
      .argument('<share path>', 'the new folder, like test/backups')
      .action(async (path: string, _options: unknown, command: Command) => {
        const cli = contextOf(command);
        const segments = segmentsOf(path);
        const name = segments.pop();
        if (name === undefined || segments.length === 0) throw new UsageError(`${path} is not a folder inside a share folder (like test/backups)`);
        const answer = await cli.client.call('POST', `/sharefolder/${encodedPath(segments)}/`, { body: { name, is_dir: true } });
        if (cli.json) printJson(cli, answer.body);
        else cli.stdout.write(`Created ${[...segments, name].join('/')}/\n`);
      }),
    'stevedore mkdir test/backups',
  );

  example(
    program
      .command('rm')
      .description('delete a file, or a folder written with a trailing slash (as the API tells them apart)')
      .argument('<share path>', 'a file like test/c.tgz, or a folder like test/backups/')
      .action(async (path: string, _options: unknown, command: Command) => {
        const cli = contextOf(command);
        const segments = segmentsOf(path);
        if (segments.length < 2) throw new UsageError(`${path} is not a file or folder inside a share folder`);
        const folder = namesFolder(path);
        const answer = await cli.client.call('DELETE', `/sharefolder/${encodedPath(segments)}${folder ? '/' : ''}`);
        if (cli.json) printJson(cli, answer.body);
        else cli.stdout.write(`Removed ${segments.join('/')}${folder ? '/' : ''}\n`);
      }),
    'stevedore rm test/c.tgz',
  );
}
