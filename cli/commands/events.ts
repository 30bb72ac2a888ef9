// events: the event log (GET /api/v1/event), newest first, a page at a time.
import type { Command } from 'commander';
import { contextOf, example, printJson } from '../context.ts';

interface EventPage {
  index: number;
  offset: number;
  messages: string[];
}

export function eventCommands(program: Command): void {
  example(
    program
      .command('events')
      .description('show the event log, newest first, 20 a page; --index and --offset of an answer read the next page')
      .option('--index <n>', 'anchor at this event number (default: the newest)')
      .option('--offset <n>', 'how far below the anchor the page starts')
      .action(async (options: { index?: string; offset?: string }, command: Command) => {
        const cli = contextOf(command);
        const page = (await cli.client.call<EventPage>('GET', '/event', { query: { index: options.index, offset: options.offset } })).body;
        if (cli.json) return printJson(cli, page);
        for (const message of page.messages) cli.stdout.write(`${formatEvent(message)}\n`);
        cli.stdout.write(`(next page: stevedore events --index ${page.index} --offset ${page.offset})\n`);
      }),
    'stevedore events',
  );
}

/** `<category>:<user>:<epoch>:<json>` as `<UTC time>  <category>  <user>  <json>`. */
function formatEvent(message: string): string {
  const match = /^([^:]*):([^:]*):(\d+):(.*)$/s.exec(message);
  if (!match) return message;
  const time = new Date(Number(match[3]) * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return `${time}  ${match[1]}  ${match[2]}  ${match[4]}`;
}
