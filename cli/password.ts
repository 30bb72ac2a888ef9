// The password, never from argv (where `ps` and shell history show it): a prompt on the
// terminal that echoes nothing, or standard input with --password-stdin.
import { UsageError } from './errors.ts';

export async function passwordFromStdin(input: NodeJS.ReadStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  // `echo secret |` and here-strings add one line end; the password is what stands before it.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function passwordFromPrompt(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY) return Promise.reject(new UsageError('no terminal to ask for the password on: pass it with --password-stdin'));
  output.write(prompt);
  input.setRawMode(true);
  input.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const done = (finish: () => void) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      finish();
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done(() => resolve(typed));
        if (char === '\u0003') return done(() => reject(new UsageError('login cancelled')));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}
