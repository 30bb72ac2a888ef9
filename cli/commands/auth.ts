// login, logout: a session on the server, its cookie kept in the session file.
import type { Command } from 'commander';
import { contextOf, example, printJson } from '../context.ts';
import { CliError, EXIT, RequestRefused } from '../errors.ts';
import { passwordFromPrompt, passwordFromStdin } from '../password.ts';

const SESSION_COOKIE = 'stevedore_sid';

interface LoginAnswer {
  username: string;
  isAdmin: boolean;
  logintime: string;
}

export function authCommands(program: Command): void {
  example(
    program
      .command('login')
      .description('log in and keep the session for the next commands (password from a prompt, or --password-stdin)')
      .argument('<username>')
      .option('--password-stdin', 'read the password from standard input')
      .action(async (username: string, options: { passwordStdin?: boolean }, command: Command) => {
        const cli = contextOf(command);
        const password = options.passwordStdin ? await passwordFromStdin() : await passwordFromPrompt(`Password for ${username} at ${cli.server}: `);
        const answer = await cli.client.call<LoginAnswer>('POST', '/login', { body: new URLSearchParams({ username, password }) });
        const session = answer.headers.getSetCookie().map((cookie) => cookie.split(';')[0]!).find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
        if (!session) throw new CliError(`${cli.server} answered the login without a session cookie`, EXIT.refused);
        await cli.sessions.save(cli.server, session);
        if (cli.json) printJson(cli, answer.body);
        else cli.stdout.write(`Logged in to ${cli.server} as ${answer.body.username}${answer.body.isAdmin ? ' (administrator)' : ''}\n`);
      }),
    "stevedore login admin --password-stdin <<<'a long passphrase'",
  );

  example(
    program
      .command('logout')
      .description('end the session on the server and forget its cookie')
      .action(async (_options: unknown, command: Command) => {
        const cli = contextOf(command);
        if (!(await cli.sessions.cookieFor(cli.server))) {
          cli.stdout.write(`Not logged in to ${cli.server}\n`);
          return;
        }
        try {
          await cli.client.call('PUT', '/logout');
        } catch (err) {
          // A session that already expired is as good as ended: forget it all the same.
          if (!(err instanceof RequestRefused && err.status === 401)) throw err;
        }
        await cli.sessions.forget(cli.server);
        if (cli.json) printJson(cli, { server: cli.server });
        else cli.stdout.write(`Logged out of ${cli.server}\n`);
      }),
    'stevedore logout',
  );
}
