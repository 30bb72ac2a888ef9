// `npm run user -- <command>`: the users of a stevedore, in its table. It works against the
// configured endpoint (AWS_ENDPOINT_URL..., LocalStack), real AWS, or, with no endpoint set,
// the embedded stack `npm start` recorded under STEVEDORE_DATA_DIR, wherever its emulators
// listen. A password is read from standard input only (`--password-stdin`): never from the
// command line, which other users of the machine can read, and it is never printed.
import { text } from 'node:stream/consumers';
import { addUser, changePassword, listUsers, removeUser } from '../../lib/auth/users.ts';
import { createClients } from '../../lib/aws/clients.ts';
import { dynamoAuth } from '../../lib/compose/dynamo-auth.ts';
import type { Config } from '../../lib/config.ts';
import { loadConfigOrExit } from './config-or-exit.ts';
import { DomainError } from '../../lib/errors.ts';
import { findRecordedStack, useRecordedStack } from './stack-record.ts';

const NAME = 'stevedore user';

const USAGE = `usage: npm run user -- add <name> [--admin] --password-stdin
       npm run user -- passwd <name> --password-stdin
       npm run user -- remove <name>
       npm run user -- list
The password is read from standard input (one line, or all of it without its final newline).`;

function fail(message: string, code: number): never {
  console.error(`${NAME}: ${message}`);
  process.exit(code);
}

interface Command {
  verb: 'add' | 'passwd' | 'remove' | 'list';
  name?: string;
  admin: boolean;
  passwordStdin: boolean;
}

function parseArguments(args: string[]): Command {
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const words = args.filter((a) => !a.startsWith('--'));
  const [verb, name, ...rest] = words;
  const known = verb === 'add' ? ['--admin', '--password-stdin'] : verb === 'passwd' ? ['--password-stdin'] : [];
  const unknown = [...flags].filter((f) => !known.includes(f));
  if (unknown.length > 0) {
    // A password given as an argument would already be in the shell history and the process list.
    const leaked = unknown.some((f) => f.startsWith('--password') && f !== '--password-stdin');
    fail(`${leaked ? 'a password is never taken from the command line; pipe it into --password-stdin' : `unknown option ${unknown[0]}`}\n${USAGE}`, 2);
  }
  if (verb === 'list' && words.length === 1) return { verb, admin: false, passwordStdin: false };
  if ((verb === 'add' || verb === 'passwd' || verb === 'remove') && name !== undefined && rest.length === 0) {
    if (verb !== 'remove' && !flags.has('--password-stdin')) fail(`${verb} needs --password-stdin\n${USAGE}`, 2);
    return { verb, name, admin: flags.has('--admin'), passwordStdin: flags.has('--password-stdin') };
  }
  fail(USAGE, 2);
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) console.error(`${NAME}: type the password, then Enter and Ctrl-D`);
  const input = await text(process.stdin);
  return input.replace(/\r?\n$/, '');
}

/** No endpoint configured: the embedded stack of this data dir, if `npm start` recorded one, or else AWS itself. */
function locateStack(config: Config): string {
  if (config.endpoint || config.dynamoEndpoint) return `table ${config.tableName} on ${config.dynamoEndpoint ?? config.endpoint}`;
  const found = findRecordedStack(config.dataDir);
  if ('none' in found) return `table ${config.tableName} in AWS (${found.none})`;
  useRecordedStack(found.record);
  return `the embedded stack of npm start (pid ${found.record.pid}), DynamoDB Local on ${found.record.dynamoEndpoint}`;
}

async function main(): Promise<void> {
  const command = parseArguments(process.argv.slice(2));
  const where = locateStack(loadConfigOrExit(NAME));
  const config = loadConfigOrExit(NAME);
  const aws = createClients(config);
  const auth = dynamoAuth(config, aws);
  try {
    const name = command.name!;
    switch (command.verb) {
      case 'add':
        await addUser(auth, name, await readPassword(), command.admin);
        console.log(`${NAME}: added ${name}${command.admin ? ' (admin)' : ''} to ${where}`);
        break;
      case 'passwd':
        await changePassword(auth, name, await readPassword());
        console.log(`${NAME}: changed the password of ${name}; its earlier sessions have ended`);
        break;
      case 'remove':
        await removeUser(auth, name);
        console.log(`${NAME}: removed ${name}; its sessions have ended`);
        break;
      case 'list':
        for (const user of await listUsers(auth)) console.log(`${user.username}\t${user.isAdmin ? 'admin' : 'user'}\t${new Date(user.createdAt).toISOString()}`);
        break;
    }
  } catch (err) {
    if (err instanceof DomainError) fail(err.message, 1);
    fail(`${where}: ${err instanceof Error ? err.message : String(err)}`, 1);
  } finally {
    aws.destroy();
  }
}

void main();
