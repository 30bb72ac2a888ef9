// What every command works with: the client for the chosen server, the session file, the
// output streams and whether to answer in JSON. Built from the global options.
import type { Command } from 'commander';
import { ApiClient, serverUrl } from './api-client.ts';
import { SessionFile } from './session-file.ts';

export interface GlobalOptions {
  url?: string;
  json?: boolean;
}

export interface CliContext {
  client: ApiClient;
  sessions: SessionFile;
  server: string;
  json: boolean;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function contextOf(command: Command): CliContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const server = serverUrl(options.url);
  const sessions = new SessionFile();
  return { client: new ApiClient(server, sessions), sessions, server, json: options.json ?? false, stdout: process.stdout, stderr: process.stderr };
}

export function printJson(cli: CliContext, value: unknown): void {
  cli.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Rows as columns padded to their widest cell, without trailing blanks. */
export function printTable(cli: CliContext, header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  for (const row of all) cli.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`);
}

/** `--help` ends with an example of the command. */
export function example(command: Command, ...lines: string[]): Command {
  return command.addHelpText('after', `\nExample:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`);
}
