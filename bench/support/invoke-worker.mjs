// Child process of the benchmarks: loads the worker's deployed bundle (what Lambda runs) and
// invokes its handler with one DynamoDB stream event, then prints the handler's wall time and
// this process's peak RSS and CPU seconds as one JSON line. Plain JavaScript: nothing loads but the bundle.
import { readFileSync } from 'node:fs';

const [bundleFile, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const { handler } = await import(bundleFile);
const started = performance.now();
const response = await handler(event);
const seconds = (performance.now() - started) / 1000;
if (response.batchItemFailures.length > 0) {
  console.error(`the worker reported failures: ${JSON.stringify(response)}`);
  process.exit(1);
}
// maxRSS is in KiB, CPU times in microseconds.
const usage = process.resourceUsage();
console.log(JSON.stringify({ seconds, peakRssMiB: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
