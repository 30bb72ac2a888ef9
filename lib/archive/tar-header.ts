// Tar header blocks, read and written by stevedore itself for every tar it handles (a runtime's
// export, an archive, the tar an import hands the engine): only these 512-byte blocks are decoded
// and encoded, and bodies pass on as the chunks they arrived in. The format is ustar; what its
// fields cannot hold (long or non-ASCII names, long link targets, big ids, the pax records an
// entry was read with) goes into a pax extended header before the entry, and numbers past a
// field's octal range are written in base-256 (the GNU extension that GNU tar, Go's archive/tar
// and tar-stream all read). Decoding follows tar-stream's, which the tests hold it against.
import type { TarHeader } from './entry.ts';
import { TAR_BLOCK_BYTES } from './format.ts';
import { paxRecordsToWrite } from './pax.ts';

type EntryType = NonNullable<TarHeader['type']>;

/** The kinds of header block that only describe the next entry. */
export type MetaHeaderType = 'pax-header' | 'pax-global-header' | 'gnu-long-path' | 'gnu-long-link-path';

const TYPE_FLAGS: Record<EntryType | MetaHeaderType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
  'contiguous-file': '7',
  'pax-header': 'x',
  'pax-global-header': 'g',
  'gnu-long-path': 'L',
  'gnu-long-link-path': 'K',
};
const TYPES_BY_FLAG = new Map(Object.entries(TYPE_FLAGS).map(([type, flag]) => [flag.charCodeAt(0), type as EntryType | MetaHeaderType]));
// A NUL type flag is a file, as in pre-POSIX archives.
TYPES_BY_FLAG.set(0, 'file');

const FIELDS = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [offset: number, length: number]>;
type Field = keyof typeof FIELDS;

const USTAR_MAGIC = Buffer.from('ustar\x00', 'latin1');
/** The checksum of a block whose checksum field holds spaces and every other byte is zero. */
const EMPTY_BLOCK_CHECKSUM = 8 * 0x20;

/** What a header block holds: an entry, a header for the next entry, or the end of the archive. */
export type DecodedBlock = { kind: 'entry'; header: TarHeader } | { kind: 'meta'; type: MetaHeaderType; size: number } | { kind: 'end' };

/** Decodes one 512-byte header block. Throws on a block that is not a tar header. */
export function decodeHeaderBlock(block: Uint8Array): DecodedBlock {
  const bytes = Buffer.from(block.buffer, block.byteOffset, TAR_BLOCK_BYTES);
  const checksum = checksumOf(bytes);
  if (checksum === EMPTY_BLOCK_CHECKSUM) return { kind: 'end' };
  if (checksum !== readNumber(bytes, 'checksum')) throw new Error('Invalid tar header: its checksum does not match');

  const type = TYPES_BY_FLAG.get(bytes[FIELDS.typeflag[0]]!);
  const size = readCount(bytes, 'size');
  if (isMetaType(type)) return { kind: 'meta', type, size };

  let name = readString(bytes, 'name');
  if (isUstar(bytes) && bytes[FIELDS.prefix[0]] !== 0) name = `${readString(bytes, 'prefix')}/${name}`;
  return {
    kind: 'entry',
    header: {
      name,
      // An old tar marks a directory by a trailing slash on a file's name. A type this codec
      // does not know (a GNU sparse file) is null: an import leaves such an entry out, and the
      // writer refuses it.
      type: type === 'file' && name.endsWith('/') ? 'directory' : ((type ?? null) as TarHeader['type']),
      mode: readCount(bytes, 'mode'),
      uid: readCount(bytes, 'uid'),
      gid: readCount(bytes, 'gid'),
      size,
      mtime: new Date(1000 * readTime(bytes)),
      linkname: readString(bytes, 'linkname'),
      uname: readString(bytes, 'uname'),
      gname: readString(bytes, 'gname'),
      devmajor: readCount(bytes, 'devmajor'),
      devminor: readCount(bytes, 'devminor'),
      pax: null,
    },
  };
}

/** A GNU long name or link target: the whole body, up to its first NUL. */
export function decodeLongPath(body: Uint8Array): string {
  const end = body.indexOf(0);
  return Buffer.from(body.buffer, body.byteOffset, end === -1 ? body.length : end).toString('utf8');
}

/** Pax records as tar-stream reads them: `<length> <key>=<value>\n`, stopping at the first malformed one. */
export function decodePaxRecords(body: Uint8Array): Record<string, string> {
  const records: Record<string, string> = {};
  let rest = Buffer.from(body.buffer, body.byteOffset, body.length);
  while (rest.length > 0) {
    const space = rest.indexOf(0x20);
    const length = Number.parseInt(rest.subarray(0, space === -1 ? rest.length : space).toString('latin1'), 10);
    if (!(length > space + 1)) break;
    const record = rest.subarray(space + 1, length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals === -1) break;
    records[record.slice(0, equals)] = record.slice(equals + 1);
    rest = rest.subarray(length);
  }
  return records;
}

/**
 * The header blocks of one entry: its ustar block, preceded by a pax extended header (its own
 * block and records, padded) when ustar cannot hold everything. Throws for a header whose type
 * cannot be written: writing it as something else would change the file.
 */
export function encodeEntryHeader(header: TarHeader): Buffer {
  const type = header.type;
  if (typeof type !== 'string' || !(type in TYPE_FLAGS) || isMetaType(type)) throw new Error(`Cannot write tar entry "${header.name}" of type ${JSON.stringify(header.type)}`);
  const block = Buffer.alloc(TAR_BLOCK_BYTES);
  const pax: Record<string, string> = {};

  const split = splitUstarName(header.name);
  if (split) {
    writeString(block, 'name', split.name);
    writeString(block, 'prefix', split.prefix);
  } else {
    pax.path = header.name;
    writeString(block, 'name', truncatedAscii(header.name, FIELDS.name[1]));
  }
  const linkname = header.linkname ?? '';
  if (fitsAsciiField(linkname, FIELDS.linkname[1])) writeString(block, 'linkname', linkname);
  else {
    pax.linkpath = linkname;
    writeString(block, 'linkname', truncatedAscii(linkname, FIELDS.linkname[1]));
  }
  for (const field of ['uname', 'gname'] as const) {
    const value = header[field] ?? '';
    if (fitsAsciiField(value, FIELDS[field][1])) writeString(block, field, value);
    else pax[field] = value;
  }
  writeNumber(block, 'mode', header.mode & 0o7777);
  writeNumber(block, 'uid', header.uid);
  writeNumber(block, 'gid', header.gid);
  writeNumber(block, 'size', header.size ?? 0);
  writeNumber(block, 'mtime', secondsOf(header.mtime));
  writeNumber(block, 'devmajor', header.devmajor ?? 0);
  writeNumber(block, 'devminor', header.devminor ?? 0);
  seal(block, type);

  Object.assign(pax, paxRecordsToWrite(header));
  if (Object.keys(pax).length === 0) return block;
  return Buffer.concat([paxHeaderFor(header, pax), block]);
}

/** Zero bytes that complete a body of `size` bytes to whole blocks. */
export function paddingAfter(size: number): number {
  const partial = size % TAR_BLOCK_BYTES;
  return partial === 0 ? 0 : TAR_BLOCK_BYTES - partial;
}

function secondsOf(mtime: Date | undefined): number {
  return Math.floor((mtime ?? new Date(0)).getTime() / 1000);
}

function isMetaType(type: string | undefined): type is MetaHeaderType {
  return type === 'pax-header' || type === 'pax-global-header' || type === 'gnu-long-path' || type === 'gnu-long-link-path';
}

function paxHeaderFor(header: TarHeader, records: Record<string, string>): Buffer {
  const body = Buffer.from(Object.entries(records).map(([key, value]) => paxRecord(key, value)).join(''), 'utf8');
  const block = Buffer.alloc(TAR_BLOCK_BYTES);
  // Readers that know no pax show this name; GNU tar names its own PaxHeaders.<pid>/<name>.
  writeString(block, 'name', 'PaxHeader');
  writeNumber(block, 'mode', header.mode & 0o7777);
  writeNumber(block, 'uid', Math.min(header.uid, 0o7777777));
  writeNumber(block, 'gid', Math.min(header.gid, 0o7777777));
  writeNumber(block, 'size', body.length);
  writeNumber(block, 'mtime', secondsOf(header.mtime));
  seal(block, 'pax-header');
  return Buffer.concat([block, body, Buffer.alloc(paddingAfter(body.length))]);
}

/** A record's length counts its own digits: `30 path=...\n` is 30 bytes long, these two included. */
function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const restBytes = Buffer.byteLength(rest);
  let length = restBytes + String(restBytes).length;
  if (String(length).length !== String(restBytes).length) length = restBytes + String(length).length;
  return `${length}${rest}`;
}

/**
 * The name in ustar's name and prefix fields, split at the first slash that leaves at most
 * 100 bytes to the name (as tar-stream splits), or undefined when it does not fit.
 */
function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= FIELDS.name[1]) return { name, prefix: '' };
  let slash = name.indexOf('/');
  while (slash !== -1 && name.length - slash - 1 > FIELDS.name[1]) slash = name.indexOf('/', slash + 1);
  if (slash <= 0 || slash > FIELDS.prefix[1] || slash === name.length - 1) return undefined;
  return { name: name.slice(slash + 1), prefix: name.slice(0, slash) };
}

function fitsAsciiField(value: string, length: number): boolean {
  return value.length <= length && isAscii(value);
}

function isAscii(value: string): boolean {
  return /^[\x01-\x7f]*$/.test(value);
}

function truncatedAscii(value: string, length: number): string {
  return value.replace(/[^\x01-\x7f]/g, '_').slice(0, length);
}

function writeString(block: Buffer, field: Field, value: string): void {
  const [offset, length] = FIELDS[field];
  block.write(value, offset, length, 'latin1');
}

/** Octal with a NUL terminator when it fits, base-256 otherwise (negative numbers too). */
function writeNumber(block: Buffer, field: Field, value: number): void {
  const [offset, length] = FIELDS[field];
  if (!Number.isSafeInteger(value)) throw new Error(`Cannot write a tar header whose ${field} is ${value}`);
  const digits = length - 1;
  if (value >= 0 && value < 8 ** digits) {
    block.write(value.toString(8).padStart(digits, '0'), offset, digits, 'latin1');
    return;
  }
  let rest = BigInt(value);
  for (let index = offset + length - 1; index > offset; index -= 1) {
    block[index] = Number(BigInt.asUintN(8, rest));
    rest >>= 8n;
  }
  block[offset] = value < 0 ? 0xff : 0x80;
}

/** A field that counts something (a size, an id, a mode): a whole number from 0. */
function readCount(block: Buffer, field: Field): number {
  const value = readNumber(block, field);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`Invalid tar header: its ${field} is not a number from 0`);
  return value;
}

/** The seconds a Date holds either side of 1970. */
const MAX_TIME_SECONDS = 8.64e12;

/** Seconds since 1970, before it too (base-256 holds negative times). */
function readTime(block: Buffer): number {
  const value = readNumber(block, 'mtime');
  if (!Number.isSafeInteger(value) || Math.abs(value) > MAX_TIME_SECONDS) throw new Error('Invalid tar header: its mtime is not a time');
  return value;
}

function readNumber(block: Buffer, field: Field): number {
  const [offset, length] = FIELDS[field];
  const bytes = block.subarray(offset, offset + length);
  if (bytes[0]! & 0x80) return readBase256(bytes);
  // Old tars pad with spaces before the digits and end them with a space or a NUL.
  let start = 0;
  while (start < bytes.length && bytes[start] === 0x20) start += 1;
  let end = start;
  while (end < bytes.length && bytes[end] !== 0x20 && bytes[end] !== 0) end += 1;
  if (end === start) return 0;
  return Number.parseInt(bytes.subarray(start, end).toString('latin1'), 8);
}

function readBase256(bytes: Buffer): number {
  const negative = bytes[0] === 0xff;
  if (!negative && bytes[0] !== 0x80) return Number.NaN;
  let value = 0;
  for (let index = 1; index < bytes.length; index += 1) value = value * 256 + (negative ? 0xff - bytes[index]! : bytes[index]!);
  return negative ? -(value + 1) : value;
}

function readString(block: Buffer, field: Field): string {
  const [offset, length] = FIELDS[field];
  const end = block.indexOf(0, offset);
  return block.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
}

function isUstar(block: Buffer): boolean {
  return block.compare(USTAR_MAGIC, 0, USTAR_MAGIC.length, FIELDS.magic[0], FIELDS.magic[0] + USTAR_MAGIC.length) === 0;
}

function checksumOf(block: Buffer): number {
  let sum = EMPTY_BLOCK_CHECKSUM;
  const [offset, length] = FIELDS.checksum;
  for (let index = 0; index < offset; index += 1) sum += block[index]!;
  for (let index = offset + length; index < TAR_BLOCK_BYTES; index += 1) sum += block[index]!;
  return sum;
}

/** Completes a block: its type, ustar's magic and version, then the checksum over all of it. */
function seal(block: Buffer, type: EntryType | MetaHeaderType): void {
  block.write(TYPE_FLAGS[type], FIELDS.typeflag[0], 'latin1');
  USTAR_MAGIC.copy(block, FIELDS.magic[0]);
  block.write('00', FIELDS.version[0], 'latin1');
  const [offset] = FIELDS.checksum;
  block.write(`${checksumOf(block).toString(8).padStart(6, '0')}\0 `, offset, 8, 'latin1');
}
