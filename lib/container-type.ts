// The two kinds of container the API knows. Its own module at the bottom of lib/, so that the
// archive format (which records a container's type) needs nothing of the container layer.
import * as z from 'zod/mini';

export const containerTypeSchema = z.enum(['lxc', 'docker']);
export type ContainerType = z.infer<typeof containerTypeSchema>;
