// What a container is made of, as `POST /api/v1/container` and an import's body give it
// (COMPAT.md "Containers"), as one zod schema: requests are checked with it, the archive's
// config.json is filtered through its fields, and the types below are inferred from it.
import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { containerTypeSchema, type ContainerType } from '../container-type.ts';
import { nameProblem } from '../names.ts';
import { SENTENCE, boundedText } from '../validation.ts';

export const CONTAINER_NAME_RULE = /^[a-zA-Z0-9][a-zA-Z0-9-_.]{1,63}$/;

export { containerTypeSchema, type ContainerType };

export const containerNameSchema = z.string().check(
  z.minLength(1, 'is required'),
  z.refine((name) => CONTAINER_NAME_RULE.test(name), {
    error: (issue) =>
      `Invalid container name ${JSON.stringify(boundedText(String(issue.input)))}: 2-64 characters of a-z A-Z 0-9 - _ . starting with a letter or digit`,
    params: SENTENCE,
  }),
);

// Docker's reference grammar, loosely: registry host, port, path, digest characters.
const imageSchema = z.string().check(
  z.minLength(1, 'is required'),
  z.regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/, 'must be an image name: up to 255 characters of a-z A-Z 0-9 . _ / : @ - starting with a letter or digit'),
);
const tagSchema = z.string().check(
  z.minLength(1, 'is required'),
  z.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be a tag: up to 128 characters of a-z A-Z 0-9 _ . - not starting with . or -'),
);
/** The architecture names `arch` holds (Debian's, or Node's where Debian has none). */
const archSchema = z.string().check(z.regex(/^[a-z0-9_]{1,32}$/, 'must be an architecture name such as "amd64"'));

const commandSchema = z.union([z.string(), z.array(z.string())], { error: 'must be a string or an array of strings' });

const between = (min: number, max: number, what = 'an integer') => {
  const message = `must be ${what} from ${min} to ${max}`;
  return z.int({ error: message }).check(z.gte(min, message), z.lte(max, message));
};
const portNumber = between(1, 65535, 'a port number');

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const hostnameSchema = z.string().check(
  z.maxLength(253, 'must be a host name of at most 253 characters'),
  z.regex(new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`), 'must be a host name (RFC 1123): labels of 1-63 letters, digits and hyphens, separated by dots'),
);

const portMappingSchema = z.tuple([portNumber, portNumber, z.enum(['tcp', 'udp'])], {
  error: (issue) => (issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_type' ? 'must be [host port, container port, "tcp" or "udp"]' : undefined),
});

const portMappingsSchema = z.array(portMappingSchema).check(
  z.superRefine((mappings, ctx) => {
    const seen = new Set<string>();
    mappings.forEach(([host, , protocol], index) => {
      const key = `${host}/${protocol}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index], message: `maps host port ${key} a second time` });
      seen.add(key);
    });
  }),
);

export const networkSchema = z.strictObject({
  hostname: z.optional(hostnameSchema),
  port: z.optional(portMappingsSchema),
  dns: z.optional(z.array(z.string().check(z.refine((address) => isIP(address) !== 0, 'must be an IP address')))),
  expose_port: z.optional(z.array(portNumber)),
});

const MEMORY_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const MIN_MEMORY_BYTES = 64 * 1024 ** 2;

/** Bytes of a memory limit given as `"768m"`, `"1g"`, `"1048576"` or a number; undefined if none. */
export function memoryBytes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  const match = /^(\d{1,16})([bkmg]?)$/i.exec(value);
  return match ? Number(match[1]) * MEMORY_UNITS[match[2]!.toLowerCase()]! : undefined;
}

const MEMORY_FORM = 'must be a size like "768m", "1g" or a number of bytes';
const memorySchema = z.union([z.string(), z.number()], { error: MEMORY_FORM }).check(
  z.superRefine((value, ctx) => {
    const bytes = memoryBytes(value);
    if (bytes === undefined || !Number.isSafeInteger(bytes)) ctx.addIssue({ code: 'custom', message: MEMORY_FORM });
    else if (bytes < MIN_MEMORY_BYTES) ctx.addIssue({ code: 'custom', message: 'must be at least 64m' });
  }),
);

/** A path whose every segment is a proper name (lib/share/paths.ts): no "", ".", "..", control characters. */
function pathProblem(path: string): string | undefined {
  for (const segment of path.split('/')) {
    const problem = nameProblem(segment);
    if (problem) return problem;
  }
  return undefined;
}

/** The original names device classes with their major number, as `video4linux_(81)`. */
const DEVICE_CLASS = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,62}_\((\d{1,4})\)$/;
const MAX_DEVICE_MAJOR = 4095;

function isDevice(device: string): boolean {
  if (device.startsWith('/dev/')) return pathProblem(device.slice('/dev/'.length)) === undefined;
  const major = DEVICE_CLASS.exec(device)?.[1];
  return major !== undefined && Number(major) <= MAX_DEVICE_MAJOR;
}

const deviceRuleSchema = z.tuple(
  [
    z.enum(['allow', 'deny']),
    z.string().check(z.refine(isDevice, 'must be a device under /dev/ (no "." or "..") or a device class such as "video4linux_(81)"')),
    z.string().check(z.regex(/^(?!.*(.).*\1)[rwm]{1,3}$/, 'must be permissions made of r, w and m')),
  ],
  { error: (issue) => (issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_type' ? 'must be ["allow" or "deny", device, permissions]' : undefined) },
);

export const resourceSchema = z.strictObject({
  limit: z.optional(
    z.strictObject({
      // Milliseconds and relative shares, in the ranges the original documents.
      cputime: z.optional(between(10, 999)),
      cpuweight: z.optional(between(2, 1024)),
      memory: z.optional(memorySchema),
    }),
  ),
  device: z.optional(z.array(deviceRuleSchema)),
});

/** A share folder path as a volume's key: `/Public/sub` or `Public/sub`. */
const sharePathKeySchema = z.string().check(
  z.superRefine((key, ctx) => {
    const problem = pathProblem(key.replace(/^\//, ''));
    if (problem) ctx.addIssue({ code: 'custom', message: `is not a share path: ${problem}` });
  }),
);

const bindSchema = z.string().check(
  z.superRefine((bind, ctx) => {
    const problem = bind.startsWith('/') ? pathProblem(bind.slice(1)) : 'it does not start with "/"';
    if (problem) ctx.addIssue({ code: 'custom', message: `must be an absolute path: ${problem}` });
  }),
);

export const volumeSchema = z.strictObject({
  host: z.optional(z.record(sharePathKeySchema, z.strictObject({ bind: bindSchema, ro: z.optional(z.boolean()) }))),
});

export type Network = z.infer<typeof networkSchema>;
export type Resource = z.infer<typeof resourceSchema>;
export type Volume = z.infer<typeof volumeSchema>;

/** JSON null in a request means "left out", as it did before these fields were checked. */
const leftOutWhenNull = <S extends z.ZodMiniType>(schema: S) => z.pipe(z.nullish(schema), z.transform((value) => value ?? undefined));

/** The settings a request may give and an archive's config.json may carry, checked alike. */
export const settingSchemas = {
  autostart: z.boolean(),
  command: commandSchema,
  entrypoint: commandSchema,
  environment: z.array(z.string()),
  network: networkSchema,
  resource: resourceSchema,
  volume: volumeSchema,
};
export type SettingField = keyof typeof settingSchemas;
export const SETTING_FIELDS = Object.keys(settingSchemas) as SettingField[];
export type Settings = { [F in SettingField]?: z.infer<(typeof settingSchemas)[F]> };

const requestSettings = {
  autostart: leftOutWhenNull(settingSchemas.autostart),
  command: leftOutWhenNull(settingSchemas.command),
  entrypoint: leftOutWhenNull(settingSchemas.entrypoint),
  environment: leftOutWhenNull(settingSchemas.environment),
  network: leftOutWhenNull(settingSchemas.network),
  resource: leftOutWhenNull(settingSchemas.resource),
  volume: leftOutWhenNull(settingSchemas.volume),
};

/** The body of `POST /api/v1/container`. Unknown fields are refused, naming them. */
export const containerRequestSchema = z.strictObject({
  type: containerTypeSchema,
  name: containerNameSchema,
  image: imageSchema,
  tag: tagSchema,
  ...requestSettings,
});
export type ContainerRequest = z.infer<typeof containerRequestSchema>;

/** An import's body: the same, except that the archive gives the root filesystem (no image needed). */
export const importRequestSchema = z.strictObject({
  type: containerTypeSchema,
  name: containerNameSchema,
  image: leftOutWhenNull(imageSchema),
  tag: leftOutWhenNull(tagSchema),
  ...requestSettings,
});
export type ImportRequest = z.infer<typeof importRequestSchema>;

/** Fields of an archive's config.json that import takes besides the settings. */
export const archiveFieldSchemas = { ...settingSchemas, arch: archSchema, image: imageSchema };
export type ArchiveField = keyof typeof archiveFieldSchemas;

/** An import's request as its task echoes it (`create_params`): what it named, and the settings it gave. */
export type CreateParams = Pick<ContainerRequest, 'type' | 'name' | 'image' | 'tag'> & Settings;

/** `create_params` as a client reads it in an import task. */
export const createParamsSchema = z.strictObject({
  image: z.string().check(z.meta({ description: 'Always "import": the archive gives the root filesystem.' })),
  name: z.string(),
  tag: z.string(),
  type: containerTypeSchema,
  ...z.partial(z.object(settingSchemas)).shape,
});

/** A container to create: a checked request with the defaults filled in. */
export type ContainerSpec = Pick<ContainerRequest, 'type' | 'name' | 'image' | 'tag'> &
  Settings & {
    autostart: boolean;
    network: Network;
    resource: Resource;
    volume: Volume;
  };
