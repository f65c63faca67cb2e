import { NovaloopError } from '../errors.js';

/** The model's typed answer still failed the output schema after every allowed retry. */
export class OutputValidationError extends NovaloopError {
  /** The last answer as the model wrote it (the forced tool call's input). */
  readonly lastAnswer: unknown;
  /** The schema's complaints about it, one per issue. */
  readonly issues: string[];
  readonly attempts: number;

  constructor(attempts: number, lastAnswer: unknown, issues: string[]) {
    super(
      'OUTPUT_INVALID',
      `The model's answer failed the output schema ${attempts} time(s) (last: ${issues.join('; ')}). The run's steps are stored; ` +
        'relax the schema, describe its fields (.describe()), raise outputRetries, or read error.lastAnswer.',
    );
    this.lastAnswer = lastAnswer;
    this.issues = issues;
    this.attempts = attempts;
  }
}
