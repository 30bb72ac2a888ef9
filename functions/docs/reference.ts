// GET /api/v1/docs: the interactive reference of /api/v1/openapi.json (Swagger UI), and
// GET /api/v1/docs/<file>: the scripts and styles it loads, all from this function.
import { publicHttpFunction } from '../../lib/http/public-function.ts';
import { notFound } from '../../lib/http/errors.ts';
import { prefixOf, referenceAsset, referencePage } from '../../lib/http/openapi/reference-page.ts';
import { quoteBounded } from '../../lib/quote.ts';
import { routes } from '../routes.ts';

export const fn = publicHttpFunction(routes.docs, async (c) => {
  const file = c.req.param('file');
  if (file === undefined) return c.html(referencePage(prefixOf(new URL(c.req.url).pathname)), 200, { 'Cache-Control': 'no-cache' });
  const asset = await referenceAsset(file);
  if (!asset) throw notFound(`No asset ${quoteBounded(file)} in the reference`);
  // The assets change only with the package's version, which changes the deployment.
  return c.body(asset.body, 200, { 'Content-Type': asset.type, 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff' });
});

export const handler = fn.handler;
