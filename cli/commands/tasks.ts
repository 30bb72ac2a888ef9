// export, inspect, import, tasks, clear: the Import/Export API. export and import answer the
// task they created, or with --wait follow it to its end (follow.ts) and answer how it ended.
import { Argument, type Command } from 'commander';
import { contextOf, example, printJson, printTable, type CliContext } from '../context.ts';
import { CliError, EXIT } from '../errors.ts';
import { followTask } from '../follow.ts';
import { JsonLines, PlainLines, TerminalLine, duration, silent, type ProgressView } from '../progress-view.ts';
import { encodedPath, splitFile } from '../share-path.ts';
import { TASK_KINDS, type ApiTask, type TaskKind } from '../task.ts';
import { containerType } from './containers.ts';
import { createParams, withParamFlags, type ParamFlags } from './create-params.ts';

interface WaitFlags {
  wait?: boolean;
  events?: boolean;
}

const withWait = (command: Command) =>
  command
    .option('--wait', 'follow the task to its end: a live line on a terminal, plain lines otherwise; exit code 4 if it aborts')
    .option('--events', 'with --json --wait: every progress answer as one JSON line on stdout, then the final task');

const taskKind = (name: string, description: string) => new Argument(name, description).choices(TASK_KINDS);

export function taskCommands(program: Command): void {
  example(
    withWait(
      program
        .command('export')
        .description('export a container into an archive in a share folder (.tar, or .tgz compressed)')
        .addArgument(containerType())
        .argument('<id>', 'the container id (for LXC its name)')
        .argument('<share path>', 'the archive to write, like test/utest.tgz')
        .option('--force', 'replace an archive that exists')
        .option('--compress', 'gzip the archive (the default for .tgz)')
        .option('--no-compress', 'do not gzip it (the default for .tar)'),
    ).action(async (type: string, id: string, path: string, options: WaitFlags & { force?: boolean; compress?: boolean }, command: Command) => {
      const cli = contextOf(command);
      const body: Record<string, unknown> = { path };
      if (options.force) body.force = true;
      if (options.compress !== undefined) body.compress = options.compress;
      const answer = await cli.client.call<ApiTask>('POST', `/container/${encodeURIComponent(type)}/${encodeURIComponent(id)}/export`, { body });
      await answerTask(cli, 'export', answer.body, options);
    }),
    'stevedore export lxc utest test/utest.tgz --wait',
  );

  example(
    program
      .command('inspect')
      .description("show the container config an archive holds: what an import of it takes")
      .argument('<share path>', 'the archive, like test/utest.tgz')
      .action(async (path: string, _options: unknown, command: Command) => {
        const cli = contextOf(command);
        printJson(cli, (await inspect(cli, path)).body);
      }),
    'stevedore inspect test/utest.tgz',
  );

  example(
    withWait(
      withParamFlags(
        program
          .command('import')
          .description('create a container from an archive in a share folder')
          .argument('<share path>', 'the archive, like test/utest.tgz')
          .requiredOption('--name <new>', 'the new container name')
          .option('--type <type>', "lxc or docker (default: the archive's own type)"),
      ),
    ).action(async (path: string, options: WaitFlags & ParamFlags & { name: string; type?: string }, command: Command) => {
      const cli = contextOf(command);
      const type = options.type ?? (await inspect(cli, path)).body.type;
      const body = { ...(await createParams(options)), type, name: options.name };
      const { folder, name } = splitFile(path);
      const answer = await cli.client.call<ApiTask>('POST', `/import/${encodedPath(folder)}/`, { query: { name }, body });
      await answerTask(cli, 'import', answer.body, options);
    }),
    'stevedore import test/utest.tgz --name utest2 --wait',
    'stevedore import test/utest.tgz --name web --port 8081:80 --memory 512m --params settings.json',
  );

  example(
    program
      .command('tasks')
      .description('list export and import tasks, newest first')
      .addArgument(taskKind('[kind]', 'only this kind').argOptional())
      .action(async (kind: TaskKind | undefined, _options: unknown, command: Command) => {
        const cli = contextOf(command);
        const kinds = kind ? [kind] : TASK_KINDS;
        const lists = await Promise.all(kinds.map(async (k) => ({ kind: k, tasks: (await cli.client.call<ApiTask[]>('GET', `/${k}/`)).body })));
        if (cli.json) return printJson(cli, kind ? lists[0]!.tasks : Object.fromEntries(lists.map((l) => [l.kind, l.tasks])));
        const rows = lists.flatMap((l) => l.tasks.map((t) => [l.kind, String(t.id), t.state, progressCell(t), t.path, t.cname, t.error ?? '']));
        printTable(cli, ['KIND', 'ID', 'STATE', 'PROGRESS', 'PATH', 'CONTAINER', 'ERROR'], rows);
      }),
    'stevedore tasks export',
  );

  example(
    program
      .command('clear')
      .description('delete finished (completed or aborted) tasks; unfinished ones stay')
      .addArgument(taskKind('[kind]', 'only this kind').argOptional())
      .action(async (kind: TaskKind | undefined, _options: unknown, command: Command) => {
        const cli = contextOf(command);
        const kinds = kind ? [kind] : TASK_KINDS;
        const cleared = await Promise.all(kinds.map(async (k) => ({ kind: k, ids: (await cli.client.call<number[]>('DELETE', `/${k}/`)).body })));
        if (cli.json) return printJson(cli, kind ? cleared[0]!.ids : Object.fromEntries(cleared.map((c) => [c.kind, c.ids])));
        for (const { kind: k, ids } of cleared) cli.stdout.write(`Cleared ${k} tasks: ${ids.length > 0 ? ids.join(', ') : 'none'}\n`);
      }),
    'stevedore clear export',
  );
}

function inspect(cli: CliContext, path: string) {
  const { folder, name } = splitFile(path);
  return cli.client.call<{ type: string }>('GET', `/import/${encodedPath(folder)}/`, { query: { name } });
}

function progressCell(task: ApiTask): string {
  if (task.state !== 'running') return task.result === undefined ? '' : `result ${task.result}`;
  return task.progress === undefined || task.progress < 0 ? '?' : `${task.progress}%`;
}

/** The created task, or with --wait how it ended; an aborted one exits 4 with its error. */
async function answerTask(cli: CliContext, kind: TaskKind, created: ApiTask, flags: WaitFlags): Promise<void> {
  if (!flags.wait) {
    if (cli.json) printJson(cli, created);
    else cli.stdout.write(`${kind} ${created.id} ${created.state}: ${created.path} (follow it with --wait, or: stevedore tasks ${kind})\n`);
    return;
  }
  const view = progressView(cli, kind, flags);
  // Ctrl-C stops following; the task is the server's and goes on.
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.on('SIGINT', onSigint);
  let task: ApiTask;
  try {
    task = await followTask(cli.client, kind, created.id, view, interrupt.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (cli.json) {
    if (!flags.events) printJson(cli, task); // with --events the view wrote it as the last line
  } else {
    const took = task.start !== undefined && task.end !== undefined ? ` in ${duration(task.end - task.start)}` : '';
    if (task.state === 'completed') cli.stdout.write(`${kind} ${task.id} completed: ${task.path}${took}\n`);
    for (const warning of task.warnings ?? []) cli.stderr.write(`warning: ${warning}\n`);
  }
  if (task.state === 'aborted') throw new CliError(`${kind} ${task.id} aborted: ${task.error ?? `result ${task.result}`}`, EXIT.aborted);
}

function progressView(cli: CliContext, kind: TaskKind, flags: WaitFlags): ProgressView {
  if (cli.json) return flags.events ? new JsonLines(cli.stdout) : silent;
  return cli.stderr.isTTY ? new TerminalLine(kind, cli.stderr) : new PlainLines(kind, cli.stderr);
}
