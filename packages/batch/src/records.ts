import { BatchInputError } from './errors.js';

export interface IdentifiedRecord<R> {
  id: string;
  record: R;
}

/**
 * Reads every record and gives each its id: `idOf(record)` (default `record.id`), or its position
 * when ids are not required. Missing ids (where required) and duplicate ids are refused before
 * anything is sent, naming the first offending record.
 */
export async function identify<R>(
  records: Iterable<R> | AsyncIterable<R>,
  options: { required: boolean; why: string; idOf?: (record: R) => string | number | undefined },
): Promise<IdentifiedRecord<R>[]> {
  if (records === null || typeof records !== 'object' || !(Symbol.iterator in records || Symbol.asyncIterator in records)) {
    throw new BatchInputError('BATCH_CONFIG', 'batch(): `records` must be an array or an (async) iterable of objects.');
  }
  const out: IdentifiedRecord<R>[] = [];
  const seen = new Map<string, number>();
  let index = 0;
  for await (const record of records as AsyncIterable<R>) {
    const raw = options.idOf ? options.idOf(record) : (record as { id?: unknown } | null)?.id;
    let id: string;
    if (raw === undefined || raw === null || raw === '') {
      if (options.required) {
        throw new BatchInputError(
          'BATCH_RECORD_ID_MISSING',
          `batch(): record ${index} has no id, and ${options.why} needs one on every record to match results back. ` +
            'Give each record a unique `id` (string or number), or pass `idOf`.',
        );
      }
      id = String(index);
    } else if (typeof raw === 'string' || typeof raw === 'number') {
      id = String(raw);
    } else {
      throw new BatchInputError(
        'BATCH_RECORD_ID_MISSING',
        `batch(): record ${index} has an id that is not a string or number (${typeof raw}).`,
      );
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new BatchInputError(
        'BATCH_RECORD_ID_DUPLICATE',
        `batch(): records ${earlier} and ${index} share the id ${JSON.stringify(id)}; results are matched by id, so each must be unique.`,
      );
    }
    seen.set(id, index);
    out.push({ id, record });
    index++;
  }
  return out;
}
