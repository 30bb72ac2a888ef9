// `stevedore`: the command-line client of a stevedore server (bin/stevedore runs this). It
// speaks the HTTP API only, like any other client, and imports nothing of the server's code.
// Every failure ends as one line on stderr and an exit code from errors.ts.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { authCommands } from './commands/auth.ts';
import { containerCommands } from './commands/containers.ts';
import { eventCommands } from './commands/events.ts';
import { fileCommands } from './commands/files.ts';
import { taskCommands } from './commands/tasks.ts';
import { DEFAULT_URL } from './api-client.ts';
import { CliError, EXIT } from './errors.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function program(): Command {
  const root = new Command('stevedore')
    .description('Export and import containers through a stevedore server, and manage its share folders.')
    .version(version)
    .option('--url <url>', `the server (default: STEVEDORE_URL, else ${DEFAULT_URL})`)
    .option('--json', 'answer in JSON on stdout')
    // Usage errors in the same one-line form as every other failure.
    .configureOutput({ outputError: (message, write) => write(`stevedore: ${message.replace(/^error: /, '')}`) })
    .exitOverride();
  authCommands(root);
  fileCommands(root);
  containerCommands(root);
  taskCommands(root);
  eventCommands(root);
  root.addHelpText(
    'after',
    `
Exit codes: 0 success, 1 refused by the server, 2 bad usage, 3 server unreachable,
4 the followed task aborted, 130 Ctrl-C while following (the task goes on).

Example:
  $ stevedore export lxc utest test/utest.tgz --wait`,
  );
  // Every subcommand stops on a usage error too, instead of calling process.exit itself.
  const exitOverrideAll = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(exitOverrideAll);
  };
  exitOverrideAll(root);
  return root;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    // Commander printed its own message (or the help) already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`stevedore: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return err instanceof CliError ? err.exitCode : EXIT.refused;
  }
}

// A reader that stopped early (`stevedore tasks | head -1`) is no failure: end quietly, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});

process.exitCode = await main(process.argv);
