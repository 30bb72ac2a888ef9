// The interactive reference at /api/v1/docs: Swagger UI (swagger-ui-dist) reading this API's
// /openapi.json, with every script and style served from here, so the page works offline. The
// package's files are read on the first request for each, not at init: a deployed function
// carries them as files beside its bundle (infra/aws/bundle.ts copies REFERENCE_ASSETS into
// `assets/`), and `npm start` reads them from node_modules.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { API_PREFIXES } from '../route.ts';

/** The files of swagger-ui-dist the page loads, by the name it asks for them under. */
export const REFERENCE_ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  'swagger-ui-bundle.js': { file: 'swagger-ui-dist/swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { file: 'swagger-ui-dist/swagger-ui.css', type: 'text/css; charset=utf-8' },
};

/** Where a deployed function finds the assets: beside its bundle (import.meta.url is the bundle's). */
export const ASSETS_DIR = 'assets';

/**
 * Our own start script, a file rather than inline so that a Content-Security-Policy of
 * `script-src 'self'` can hold. `validatorUrl: null`: Swagger UI would otherwise send the
 * document to an online validator.
 */
const START_SCRIPT_NAME = 'stevedore-reference.js';
const START_SCRIPT = `'use strict';
const root = document.getElementById('reference');
window.ui = SwaggerUIBundle({ url: root.dataset.document, domNode: root, deepLinking: true, validatorUrl: null, withCredentials: true });
`;

export interface Asset {
  body: string;
  type: string;
}

const loaded = new Map<string, Promise<string>>();

/** An asset of the page by name, or undefined for a name that is none. */
export async function referenceAsset(name: string): Promise<Asset | undefined> {
  if (name === START_SCRIPT_NAME) return { body: START_SCRIPT, type: 'text/javascript; charset=utf-8' };
  const asset = Object.hasOwn(REFERENCE_ASSETS, name) ? REFERENCE_ASSETS[name]! : undefined;
  if (!asset) return undefined;
  let body = loaded.get(name);
  if (!body) {
    body = readFile(assetPath(name, asset.file), 'utf8');
    loaded.set(name, body);
    body.catch(() => loaded.delete(name));
  }
  return { body: await body, type: asset.type };
}

function assetPath(name: string, packageFile: string): string {
  const beside = fileURLToPath(new URL(`./${ASSETS_DIR}/${name}`, import.meta.url));
  return existsSync(beside) ? beside : createRequire(import.meta.url).resolve(packageFile);
}

/** The API prefix a request came by, so that the page's links use the same one. */
export function prefixOf(pathname: string): string {
  return API_PREFIXES.find((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`)) ?? API_PREFIXES[0];
}

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The page; every URL in it is a path on this server. */
export function referencePage(prefix: string): string {
  const base = escapeAttribute(prefix);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stevedore API reference</title>
<link rel="stylesheet" href="${base}/docs/swagger-ui.css">
</head>
<body>
<div id="reference" data-document="${base}/openapi.json"></div>
<script src="${base}/docs/swagger-ui-bundle.js"></script>
<script src="${base}/docs/${START_SCRIPT_NAME}"></script>
</body>
</html>
`;
}
