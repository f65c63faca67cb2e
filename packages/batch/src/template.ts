import { BatchInputError } from './errors.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** The placeholders of a template, e.g. `['subject', 'customer.name']`. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

/** The template with each `{{field}}` (or `{{a.b}}`) replaced by the record's value. */
export function fill(template: string, record: Record<string, unknown>, id: string): string {
  return template.replace(PLACEHOLDER, (_, path: string) => {
    let value: unknown = record;
    for (const key of path.split('.'))
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (value === undefined || value === null) {
      throw new BatchInputError(
        'BATCH_TEMPLATE_FIELD',
        `batch(): record ${JSON.stringify(id)} has no "${path}" for the prompt's {{${path}}}. Add the field to every record, or change the template.`,
      );
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
