// Child process of the long-poll benchmark: the clients that follow one export through
// GET /api/v1/export/progress, each sending back its cursor, until it ends. They run apart from
// the server so that parsing 200 answers and sending 200 polls again is not charged to the event
// loop that serves them, as it is not in use. Each client first opens its connection with one
// cheap request (the share folders: not the task list, whose size grows with the table) and
// then waits in a poll; once all are waiting the process prints `waiting`, and the
// benchmark starts the export: what is measured is a warm server waking polls that were there,
// not 200 connections and a cold server starting together. The first task a poll answers is
// the one followed. Times are epoch milliseconds (performance.timeOrigin + performance.now()),
// the clock the server process stamps its writes with. Prints { polls, resets } as one JSON line.
//   node poll-clients.mjs URL CLIENTS
const [url, clients] = [process.argv[2], Number(process.argv[3])];
const now = () => performance.timeOrigin + performance.now();
const polls = [];
let resets = 0;
let taskId;

async function follow(connected) {
  await (await fetch(`${url}/api/v1/sharefolder/`)).json();
  connected();
  let cursor = null;
  const giveUpAt = Date.now() + 180_000;
  while (Date.now() < giveUpAt) {
    const openedAt = now();
    let response;
    try {
      response = await fetch(`${url}/api/v1/export/progress${cursor ? `?cursor=${cursor}` : ''}`);
    } catch (err) {
      // A kept-alive connection the server closed just as the client reused it: counted, then polled again.
      if (err?.cause?.code !== 'ECONNRESET') throw err;
      resets++;
      continue;
    }
    const body = await response.json();
    taskId ??= body[0]?.id;
    const task = body.find((t) => t.id === taskId);
    polls.push({ openedAt, answeredAt: now(), status: response.status, changed: task !== undefined });
    cursor = response.headers.get('x-stevedore-cursor');
    if (response.status !== 200 || task?.state === 'completed' || task?.state === 'aborted') return;
  }
}

let connections = 0;
const following = Array.from({ length: clients }, () =>
  follow(() => {
    // The last connection's first poll is sent on the next turn; a moment later every poll waits.
    if (++connections === clients) setTimeout(() => process.stdout.write('waiting\n'), 200);
  }),
);
await Promise.all(following);
process.stdout.write(`${JSON.stringify({ polls, resets })}\n`);
