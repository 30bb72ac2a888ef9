// containers: list, create and remove the containers export reads and import creates.
import { Argument, type Command } from 'commander';
import { contextOf, example, printJson, printTable } from '../context.ts';
import { readParamsFile } from './create-params.ts';

interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  type: string;
}

export const containerType = () => new Argument('<type>', 'container type').choices(['lxc', 'docker']);

export function containerCommands(program: Command): void {
  const containers = example(
    program.command('containers').description('list, create and remove containers'),
    'stevedore containers',
    'stevedore containers create lxc utest --image demo:latest',
  );

  example(
    containers
      .command('ls', { isDefault: true })
      .description('list the containers (the default)')
      .action(async (_options: unknown, command: Command) => {
        const cli = contextOf(command);
        const answer = await cli.client.call<ContainerSummary[]>('GET', '/container');
        if (cli.json) return printJson(cli, answer.body);
        printTable(cli, ['TYPE', 'ID', 'NAME', 'IMAGE', 'STATE'], answer.body.map((c) => [c.type, c.id.slice(0, 12), c.name, c.image, c.state]));
      }),
    'stevedore containers ls --json',
  );

  example(
    containers
      .command('create')
      .description('create a container from an image')
      .addArgument(containerType())
      .argument('<name>')
      .requiredOption('--image <image[:tag]>', 'the image, like demo:latest')
      .option('--params <file.json>', 'more create parameters (network, resource, volume, ...), as POST /api/v1/container takes them')
      .action(async (type: string, name: string, options: { image: string; params?: string }, command: Command) => {
        const cli = contextOf(command);
        const [image, tag = 'latest'] = options.image.split(':');
        const body = { ...(options.params ? await readParamsFile(options.params) : {}), type, name, image, tag };
        const answer = await cli.client.call<ContainerSummary>('POST', '/container', { body });
        if (cli.json) printJson(cli, answer.body);
        else cli.stdout.write(`Created ${answer.body.type} container ${answer.body.name} (${answer.body.image})\n`);
      }),
    'stevedore containers create lxc utest --image demo:latest',
  );

  example(
    containers
      .command('rm')
      .description('remove a container')
      .addArgument(containerType())
      .argument('<id>')
      .action(async (type: string, id: string, _options: unknown, command: Command) => {
        const cli = contextOf(command);
        const answer = await cli.client.call('DELETE', `/container/${encodeURIComponent(type)}/${encodeURIComponent(id)}`);
        if (cli.json) printJson(cli, answer.body);
        else cli.stdout.write(`Removed ${type} container ${id}\n`);
      }),
    'stevedore containers rm lxc utest',
  );
}
