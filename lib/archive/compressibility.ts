// How hard to compress each stretch of a block, judged from the byte entropy of a sample:
// - already-compressed files in a container (packages, jars, images, compressed binaries) are
//   not compressed at all: written as stored blocks (stored-gzip.ts), because zlib would spend
//   its full effort to come out no smaller;
// - executables and other binary data are deflated one level lower: level 6's longer match
//   search finds little more in them than level 5 does, for about a third more CPU;
// - text (logs, source, configuration) gets the configured level: there the longer search pays.

/** Bytes judged at once: the granularity at which stored and deflated data are told apart. */
const STRETCH_BYTES = 64 * 1024;
/** Every SAMPLE_STEP-th byte is counted: 8,192 samples of a stretch are plenty for its entropy. */
const SAMPLE_STEP = 8;
/**
 * Bits per byte above which a stretch is taken as incompressible. Uniform random bytes measure
 * about 7.975 from 8,192 samples; text measures 4-5, executables 5-6.5. In between lies data
 * that is nearly random but repeats itself (compressed files with tables and names between their
 * streams): the node_modules of a Node project held 28 MiB of stretches between 7.90 and 7.96,
 * which deflate shrank by about 6 % (3-11 % by band), and storing them made that archive 0.9 %
 * larger (with the line at 7.9). Above 7.96 deflate gained 0.4-1.1 %, not worth its effort,
 * while a stored block costs only 5 bytes per 64 KiB.
 */
const INCOMPRESSIBLE_BITS_PER_BYTE = 7.96;
/**
 * Bits per byte below which a run is text, deflated at the full level. Measured per 1 MiB run
 * at levels 5 and 6 (memory level 9): with the line at 5.5, the benchmark's container came out
 * 0.8 % larger for 19 % less CPU, the JavaScript of node_modules 0.3 % larger for 14 % less,
 * /usr/share 0.2 % for 9 %, and logs and C headers the same size (every run counted as text).
 * At 5.0, logs would have grown by 0.7 % and headers by 1 %; at 6.0, the saving on the
 * benchmark's container fell to 14 %.
 */
const TEXT_BITS_PER_BYTE = 5.5;

/** How much work deflate is worth on some bytes. */
export type Effort = 'store' | 'reduced' | 'full';

/** Counts of a sample of `bytes` added to `counts`; answers the number of samples. */
function sampleInto(counts: Uint32Array, bytes: Uint8Array): number {
  let samples = 0;
  for (let i = 0; i < bytes.length; i += SAMPLE_STEP, samples++) counts[bytes[i]!]!++;
  return samples;
}

/** Order-0 entropy, in bits per byte, of a sample with these byte counts. */
function bitsPerByte(counts: Uint32Array, samples: number): number {
  let sum = 0;
  for (const c of counts) if (c > 0) sum += c * Math.log2(c);
  return samples === 0 ? 0 : Math.log2(samples) - sum / samples;
}

/**
 * How far below its true entropy a sample of random bytes measures, on average (Miller and
 * Madow's bias, 255 / (2 n ln 2) bits): 0.022 for a whole stretch's 8,192 samples, 0.045 for
 * the 4,096 of half a stretch. The line above was drawn for whole stretches; a shorter one, at
 * the end of the input, is measured against it with this difference made up.
 */
function sampleShortfall(samples: number): number {
  return 255 / (2 * samples * Math.LN2);
}

/** Whether deflate could gain on a stretch: the cheap test that sends it to zlib or stores it. `counts` gets its sample's counts. */
function looksIncompressible(stretch: Uint8Array, counts: Uint32Array): { incompressible: boolean; samples: number } {
  counts.fill(0);
  const samples = sampleInto(counts, stretch);
  // Too few samples to tell: zlib decides.
  const incompressible = stretch.length >= STRETCH_BYTES / 2 && bitsPerByte(counts, samples) + sampleShortfall(samples) > INCOMPRESSIBLE_BITS_PER_BYTE + sampleShortfall(STRETCH_BYTES / SAMPLE_STEP);
  return { incompressible, samples };
}

/** `block` cut into runs of stretches that are all stored or all deflated, in order, each with its effort. */
export function compressibilityRuns(block: Buffer): { bytes: Buffer; effort: Effort }[] {
  const runs: { bytes: Buffer; effort: Effort }[] = [];
  // A deflated run's effort follows from the samples of all its stretches together.
  const runCounts = new Uint32Array(256);
  const stretchCounts = new Uint32Array(256);
  let runSamples = 0;
  let start = 0;
  let storing: boolean | undefined;
  const endRun = (end: number) => {
    const effort: Effort = storing ? 'store' : bitsPerByte(runCounts, runSamples) < TEXT_BITS_PER_BYTE ? 'full' : 'reduced';
    runs.push({ bytes: block.subarray(start, end), effort });
    runCounts.fill(0);
    runSamples = 0;
    start = end;
  };
  for (let at = 0; at < block.length; at += STRETCH_BYTES) {
    const { incompressible, samples } = looksIncompressible(block.subarray(at, at + STRETCH_BYTES), stretchCounts);
    if (storing !== undefined && incompressible !== storing) endRun(at);
    storing = incompressible;
    if (incompressible) continue;
    for (let b = 0; b < 256; b++) runCounts[b]! += stretchCounts[b]!;
    runSamples += samples;
  }
  endRun(block.length);
  return runs;
}

