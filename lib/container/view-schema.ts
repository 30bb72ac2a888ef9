// A container as the API shows it (./model.ts), as zod schemas: the OpenAPI document's
// responses and the summary's type. The config's fields are the container schema's own
// (./schema.ts), so what a container answers and what a request may give are one list.
import * as z from 'zod/mini';
import { containerTypeSchema, settingSchemas } from './schema.ts';

export const containerSummarySchema = z.strictObject({
  id: z.string().check(z.describe('An LXC container\'s name; a Docker container\'s 64 hex digits.')),
  name: z.string(),
  image: z.string().check(z.describe('`name:tag` of the image the container was made from.')),
  state: z.enum(['running', 'stopped']),
  type: containerTypeSchema,
});

const { autostart, network, resource, volume, ...optionalSettings } = settingSchemas;

/** `GET .../all` and what an import of an archive would give (`ContainerConfig` of ./model.ts). */
export const containerConfigSchema = z.strictObject({
  arch: z.string().check(z.describe('The architecture the root filesystem was built for, in Debian\'s names ("amd64").')),
  autostart,
  image: z.string(),
  name: z.string(),
  network,
  resource,
  type: containerTypeSchema,
  volume,
  ...z.partial(z.object(optionalSettings)).shape,
});

/** Import inspect: the config, and who wrote the archive when it says (`InspectedConfig` of ./import-config.ts). */
export const inspectedConfigSchema = z.extend(containerConfigSchema, {
  source: z.optional(z.string()).check(z.describe('What wrote the archive, e.g. "qnap_export"; absent for a plain root-filesystem tarball.')),
});
