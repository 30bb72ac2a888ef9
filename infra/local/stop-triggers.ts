// What stops a long-running local process (`npm start`, the host worker): SIGINT and SIGTERM,
// and its parent going away. npm runs us under a shell, and a SIGTERM to npm alone ends that
// shell, not us; once our parent is gone nobody could stop us any more, so we stop ourselves.
// `stop` is called once per trigger and must ignore the calls after its first.
export function stopOn(stop: (why: string) => void): void {
  // `on`, not `once`: a service manager signals the whole group, and a launcher passes it on too.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const parent = process.ppid;
  // With the parent gone, its end of our stdout may be closed too: a failed log line must not
  // kill us before what we started is stopped.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  setInterval(() => process.ppid !== parent && stop('parent process exited'), 200).unref();
}
