// Child process of the benchmarks: loads the worker's deployed bundle (what Lambda runs) and
// invokes its handler with one DynamoDB stream event, then prints the handler's wall time,
// this process's peak RSS and its CPU seconds by kind of thread as one JSON line. Plain
// JavaScript: nothing loads but the bundle.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds of this process's threads so far, summed by thread name (USER_HZ ticks). */
function cpuByThread() {
  const seconds = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      // MainThread runs the JavaScript; libuv-worker the thread pool (zlib, fs, crypto); V8Worker the GC's helpers.
      seconds[name] = (seconds[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the thread ended meanwhile
    }
  }
  return seconds;
}

const MIB = 1024 * 1024;
const inMiB = (usage) => Object.fromEntries(Object.entries(usage).map(([name, bytes]) => [name, Math.round((bytes / MIB) * 10) / 10]));

/**
 * process.memoryUsage() every few milliseconds: the peak of each part, and the parts at the
 * sample with the highest RSS. The kernel's maxRSS stays the figure of record; the samples say
 * where it went (V8's heap, external memory such as Buffers and zlib's state, and the rest:
 * code, stacks, malloc's free lists).
 */
function sampleMemory(intervalMs) {
  const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  let atPeakRss = process.memoryUsage();
  const timer = setInterval(() => {
    const usage = process.memoryUsage();
    for (const name of Object.keys(peaks)) peaks[name] = Math.max(peaks[name], usage[name]);
    if (usage.rss >= atPeakRss.rss) atPeakRss = usage;
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return { peaks: inMiB(peaks), atPeakRss: inMiB(atPeakRss) };
  };
}

const [bundleFile, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const { handler } = await import(bundleFile);
const loaded = inMiB(process.memoryUsage());
const stopSampling = sampleMemory(20);
const before = cpuByThread();
const started = performance.now();
const response = await handler(event);
const seconds = (performance.now() - started) / 1000;
const memory = { loaded, ...stopSampling() };
if (response.batchItemFailures.length > 0) {
  console.error(`the worker reported failures: ${JSON.stringify(response)}`);
  process.exit(1);
}
const after = cpuByThread();
const threadSeconds = Object.fromEntries(Object.entries(after).map(([name, total]) => [name, total - (before[name] ?? 0)]));
// The kernel's high-water mark of this process's own memory (KiB). Not getrusage's maxRSS: at
// exec Linux carries the forked copy of the parent's RSS into it, so a child of a big benchmark
// process would report the benchmark's size.
const peakRssMiB = Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
console.log(JSON.stringify({ seconds, peakRssMiB, threadSeconds, memory }));
