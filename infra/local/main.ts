// `npm start`: the whole of stevedore on one machine. Emulators as child processes, the
// table and bucket provisioned, every route of the manifest served, Ctrl-C stops it all.
import { clients } from '../../lib/aws/clients.ts';
import { ConfigError, loadConfig, config } from '../../lib/config.ts';
import { provisionDemoImage } from './demo-image.ts';
import { provision } from './provision.ts';
import { createLocalApp, loadFunctions, startServer, type RunningServer } from './server.ts';
import { startEmulators, useEmulators } from './stack.ts';
import { startWorkerHost, type WorkerHost } from './worker-host.ts';

async function main(): Promise<void> {
  const startedAt = performance.now();
  try {
    loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`stevedore: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const dataDir = config().dataDir;
  const stack = await startEmulators(dataDir);
  let server: RunningServer | undefined;
  let workers: WorkerHost | undefined;
  let stopping = false;
  const stopAll = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`stevedore: ${signal}, stopping`);
    await server?.close().catch(() => undefined);
    await workers?.stop().catch(() => undefined);
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stopAll('SIGINT'));
  process.once('SIGTERM', () => void stopAll('SIGTERM'));
  // `npm start` runs us under a shell; a SIGTERM to npm alone ends that shell, not us. When our
  // parent goes away, nobody can stop us any more, so we stop ourselves.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && void stopAll('parent process exited'), 1000).unref();

  useEmulators(stack);
  const cfg = config();
  await provision(cfg, clients());
  await provisionDemoImage(cfg, clients());
  const functions = await loadFunctions();
  workers = await startWorkerHost(cfg, clients());
  server = await startServer(createLocalApp(functions), cfg.host, cfg.port);
  for (const emulator of stack.emulators) console.log(`stevedore: ${emulator.name} on ${emulator.endpoint}`);
  console.log(`stevedore: data in ${stack.emulators.length > 0 ? dataDir : cfg.endpoint}`);
  console.log(`stevedore ready: ${functions.length} routes on ${server.url}/api/v1 (${Math.round(performance.now() - startedAt)} ms)`);
}

main().catch((err: unknown) => {
  console.error(`stevedore: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
