// The configuration of a local command (`npm start`, the host worker, `npm run user`): a bad
// setting ends it with one line per problem, named after the command, and exit code 2, which a
// service manager can be told not to restart on.
import { ConfigError, loadConfig, type Config } from '../../lib/config.ts';

export function loadConfigOrExit(program: string): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`${program}: ${err.message}`);
    process.exit(2);
  }
}
