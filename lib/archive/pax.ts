// Pax extended records beyond names and sizes. The tar codec (tar-header.ts, tar-reader.ts)
// writes and applies path, linkpath and size itself, but not ownership: ids past the ustar
// field's octal range (user namespaces use such ids) are portable only as pax records, which
// we write and apply.
import type { TarHeader } from './entry.ts';

/** Largest id the 7 octal digits of a ustar uid/gid field hold. */
const MAX_USTAR_ID = 0o7777777;

/** Records the codec derives from the header itself; a copy would contradict or repeat them. */
const RECORDS_FROM_HEADER = new Set(['path', 'linkpath', 'size']);

type PaxRecords = Record<string, string>;

/** The pax records to write for a header, or undefined when the ustar header holds it all. */
export function paxRecordsToWrite(header: TarHeader): PaxRecords | undefined {
  const records = extraRecords(header.pax) ?? {};
  if (header.uid > MAX_USTAR_ID) records.uid = String(header.uid);
  if (header.gid > MAX_USTAR_ID) records.gid = String(header.gid);
  return Object.keys(records).length > 0 ? records : undefined;
}

/** The header with the ownership its pax records state, and its other records kept. */
export function withPaxOwnership(header: TarHeader): TarHeader {
  const records = extraRecords(header.pax);
  if (!records) return { ...header, pax: null };
  return {
    ...header,
    uid: paxId(records.uid) ?? header.uid,
    gid: paxId(records.gid) ?? header.gid,
    uname: records.uname ?? header.uname,
    gname: records.gname ?? header.gname,
    pax: records,
  };
}

function extraRecords(pax: unknown): PaxRecords | undefined {
  if (typeof pax !== 'object' || pax === null) return undefined;
  const kept = Object.entries(pax as PaxRecords).filter(([key]) => !RECORDS_FROM_HEADER.has(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function paxId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  return Number(value);
}
