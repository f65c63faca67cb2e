import { createRedactor, type RedactOptions } from '../redact.js';
import type { TraceFile } from '../read-trace-file.js';
import type { TraceLine } from '../trace-line.js';
import { buildRunViews } from './run-view.js';
import { VIEWER_SCRIPT } from './viewer-script.js';
import { VIEWER_STYLE } from './viewer-style.js';

export interface RenderTraceHtmlOptions {
  /** Shown in the title and header, e.g. the file name. */
  title?: string;
  /** Hidden again before rendering, in case the file was written without redaction (default: built-ins); `false` shows everything. */
  redact?: RedactOptions | false;
}

/**
 * One self-contained HTML page for the runs in `file`: inline CSS and JS, no network (its CSP forbids
 * any), trace data embedded as JSON that the page only ever puts into text nodes.
 */
export function renderTraceHtml(file: TraceFile, options: RenderTraceHtmlOptions = {}): string {
  const redact = createRedactor(options.redact);
  const lines = file.lines.map((line) => redact(line) as TraceLine);
  const runs = buildRunViews(lines);
  const title = options.title ?? 'novaloop trace';
  const data = {
    title,
    generatedAt: new Date().toISOString(),
    skipped: file.skipped.map((s) => ({ line: s.line, reason: s.reason })),
    runs,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${VIEWER_STYLE}</style>
</head>
<body>
<div id="app"><p class="loading">Loading trace…</p></div>
<script type="application/json" id="trace-data">${jsonForScript(data)}</script>
<script>${VIEWER_SCRIPT}</script>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot end its `<script>` element or open a comment: every `<`, `>` and `&` becomes a \u escape. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
