// The value of `lxc.mount.entry`: one fstab(5) line, which liblxc reads with getmntent(3). Its
// fields are separated by blanks or tabs, and a blank, tab, newline or backslash inside a field
// is written as an octal escape (\040, \011, \012, \134), as glibc decodes them.

export interface MountEntry {
  source: string;
  /** Relative to the container's root filesystem, unless it starts with "/". */
  target: string;
  fstype: string;
  options: string[];
}

const ESCAPES: Record<string, string> = { '\\040': ' ', '\\011': '\t', '\\012': '\n', '\\134': '\\', '\\\\': '\\' };

function decodeField(field: string): string {
  return field.replace(/\\040|\\011|\\012|\\134|\\\\/g, (escape) => ESCAPES[escape]!);
}

function encodeField(field: string): string {
  return field.replace(/[\\ \t\n]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** The entry's fields, or undefined when the line lacks one getmntent needs or has too many. */
export function parseMountEntry(value: string): MountEntry | undefined {
  const fields = value.split(/[ \t]+/).filter((field) => field !== '');
  if (fields.length < 4 || fields.length > 6) return undefined;
  if (fields.slice(4).some((number) => !/^\d{1,9}$/.test(number))) return undefined;
  const [source, target, fstype, options] = fields.map(decodeField) as [string, string, string, string];
  return { source, target, fstype, options: options.split(',') };
}

export function formatMountEntry(entry: MountEntry): string {
  return `${encodeField(entry.source)} ${encodeField(entry.target)} ${encodeField(entry.fstype)} ${encodeField(entry.options.join(','))} 0 0`;
}

/** Whether the mount is read-only: of "ro" and "rw", the later one wins, as in mount(8). */
export function isReadOnly(options: readonly string[]): boolean {
  return options.findLast((option) => option === 'ro' || option === 'rw') === 'ro';
}
