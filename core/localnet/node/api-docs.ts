/**
 * `GET /v1/api`: the node's API documented from its route table, as walrus-service serves
 * its OpenAPI document there — an HTML page with the paths in Walrus's `{param}` form and
 * the OpenAPI JSON embedded, so the page needs nothing from the network.
 */
import type { NodeRoute } from './routes.js';

const openApiPath = (path: string) => path.replace(/:([a-z_]+)/g, '{$1}');

export function apiDocs(routes: NodeRoute[]): string {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = openApiPath(r.path);
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      ...(r.query.length
        ? { parameters: r.query.map((name) => ({ name, in: 'query', required: false })) }
        : {}),
    };
  }
  const spec = {
    openapi: '3.1.0',
    info: { title: 'Walrus storage node (Floe localnet)', version: '1' },
    paths,
  };
  const rows = routes
    .map(
      (r) =>
        `<tr><td>${r.method}</td><td><code>${escape(openApiPath(r.path))}</code></td><td>${escape(r.summary)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Walrus storage node API</title></head>
<body><h1>Walrus storage node API</h1>
<table>${rows}</table>
<script type="application/json" id="openapi">${escape(JSON.stringify(spec))}</script>
</body></html>
`;
}

function escape(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!,
  );
}
