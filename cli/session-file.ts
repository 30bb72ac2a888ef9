// The session cookies the CLI keeps between calls, one per server, in
// $XDG_CONFIG_HOME/stevedore/session.json (~/.config/stevedore/ without it). The file holds
// what logs a user in, so it is written 0600 in a 0700 directory, through a temporary file
// of the same mode renamed over it: never readable by others, never half-written.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Server origin -> the `Cookie` header value its login answered. */
type Sessions = Record<string, string>;

export function sessionFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(configHome, 'stevedore', 'session.json');
}

export class SessionFile {
  constructor(readonly path: string = sessionFilePath()) {}

  async cookieFor(server: string): Promise<string | undefined> {
    return (await this.read())[server];
  }

  async save(server: string, cookie: string): Promise<void> {
    const sessions = await this.read();
    sessions[server] = cookie;
    await this.write(sessions);
  }

  async forget(server: string): Promise<void> {
    const sessions = await this.read();
    if (!(server in sessions)) return;
    delete sessions[server];
    if (Object.keys(sessions).length === 0) await rm(this.path, { force: true });
    else await this.write(sessions);
  }

  private async read(): Promise<Sessions> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Sessions;
    } catch {
      // A damaged file holds no session worth keeping: the next login writes it anew.
    }
    return {};
  }

  private async write(sessions: Sessions): Promise<void> {
    const dir = join(this.path, '..');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(sessions, null, 2)}\n`, { mode: 0o600 });
    // The mode given to writeFile is narrowed by the umask only, never widened; chmod makes
    // sure of 0600 for a temporary file an earlier crash left behind with another mode.
    await chmod(temporary, 0o600);
    await rename(temporary, this.path);
  }
}
