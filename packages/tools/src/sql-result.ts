/** What the model gets back from one query. */
export interface SqlResult {
  columns: string[];
  rows: unknown[][];
  /** Rows returned here (after truncation). */
  rowCount: number;
  /** True when the query had more rows, or more bytes, than the limits allow. */
  truncated: boolean;
  /** Which limit cut the result, and what to do about it. */
  truncation?: string;
}

/** Keeps whole rows while they fit `maxRows` and `maxBytes` (of JSON); `more` says rows were left unread. */
export function limitRows(columns: string[], raw: unknown[][], more: boolean, maxRows: number, maxBytes: number): SqlResult {
  const rows: unknown[][] = [];
  let bytes = Buffer.byteLength(JSON.stringify(columns));
  let truncation: string | undefined;
  for (const row of raw) {
    if (rows.length >= maxRows) {
      truncation = `more than ${maxRows} rows; only the first ${maxRows} are shown. Add a LIMIT, a WHERE clause or an aggregate.`;
      break;
    }
    const values = row.map(toJsonValue);
    const size = Buffer.byteLength(JSON.stringify(values)) + 1;
    if (bytes + size > maxBytes) {
      truncation = `the result exceeds ${maxBytes} bytes; only the first ${rows.length} rows are shown. Select fewer columns or rows.`;
      break;
    }
    bytes += size;
    rows.push(values);
  }
  if (truncation === undefined && more) {
    truncation = `more than ${maxRows} rows; only the first ${maxRows} are shown. Add a LIMIT, a WHERE clause or an aggregate.`;
  }
  const result: SqlResult = { columns, rows, rowCount: rows.length, truncated: truncation !== undefined };
  if (truncation !== undefined) result.truncation = truncation;
  return result;
}

function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof ArrayBuffer) return `<${value.byteLength} bytes of binary data>`;
  if (ArrayBuffer.isView(value)) return `<${value.byteLength} bytes of binary data>`;
  if (value === undefined) return null;
  return value;
}
