// Settings a runtime keeps that stevedore's container schema has no field for: the lines of an
// LXC config file that map to nothing (its network devices, signals, ttys). They travel in the
// archive's config.json beside the schema's fields, so an export/import round trip keeps them,
// and the runtime that reads them back decides what of them it may write (lib/lxc/config-policy.ts).
import type * as z from 'zod/mini';
import { lxcConfigLinesSchema } from '../lxc/config-file.ts';

export const nativeFieldSchemas = {
  /** LXC config lines (`key = value`) the mapping to the schema did not take. */
  lxc_config: lxcConfigLinesSchema,
};

export type NativeSettings = { [F in keyof typeof nativeFieldSchemas]?: z.infer<(typeof nativeFieldSchemas)[F]> };
