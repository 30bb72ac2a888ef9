// Child process of the long-poll benchmark: the clients that follow one task through
// GET /api/v<N>/<kind>/progress, each sending back its cursor, until the task ends. They run
// apart from the server so that parsing 200 answers and sending 200 polls again is not charged
// to the event loop that serves them, as it is not in use. Times are epoch milliseconds
// (performance.timeOrigin + performance.now()), the clock the server process stamps its writes
// with. Prints { polls, resets } as one JSON line. Plain JavaScript: nothing loads but this.
//   node poll-clients.mjs URL TASK_ID CLIENTS
const [url, taskId, clients] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const now = () => performance.timeOrigin + performance.now();
const polls = [];
let resets = 0;

async function follow() {
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
    const task = body.find((t) => t.id === taskId);
    polls.push({ openedAt, answeredAt: now(), status: response.status, changed: task !== undefined });
    cursor = response.headers.get('x-stevedore-cursor');
    if (response.status !== 200 || task?.state === 'completed' || task?.state === 'aborted') return;
  }
}

await Promise.all(Array.from({ length: clients }, follow));
process.stdout.write(`${JSON.stringify({ polls, resets })}\n`);
