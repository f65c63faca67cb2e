import type { JsonValue } from '../json.js';
import type { SessionAttributes } from './session-store.js';
import type { ToolSession } from '../tools/tool.js';

/**
 * A run's session attributes: the stored ones with the run's own merged over them, then whatever
 * tools set. `changed` says whether the next append must store them.
 */
export class SessionAttributeState {
  private values: SessionAttributes = {};
  private dirty = false;
  /**
   * What tools get as `context.session`: a plain object with only `attributes` and `set`, so a tool
   * sees nothing of this class and may call a detached `set`.
   */
  readonly toolSession: ToolSession;

  constructor(stored: SessionAttributes | undefined, fromRun: SessionAttributes | undefined) {
    if (stored) this.values = stored;
    if (fromRun && Object.keys(fromRun).length > 0) {
      this.values = { ...this.values, ...fromRun };
      this.dirty = true;
    }
    const current = (): SessionAttributes => this.values;
    this.toolSession = {
      get attributes() {
        return current();
      },
      set: (key, value) => this.set(key, value),
    };
  }

  /** The attributes as they are now; a new object after every change, never changed in place. */
  get current(): SessionAttributes {
    return this.values;
  }

  /** Whether the attributes changed since they were loaded or last saved. */
  get changed(): boolean {
    return this.dirty;
  }

  /** Sets an attribute, or removes it with `undefined`; throws a TypeError for a value JSON cannot hold. */
  set(key: string, value: JsonValue | undefined): void {
    if (value !== undefined && !isJson(value)) {
      throw new TypeError(`Session attribute "${key}" must be a JSON value (string, number, boolean, null, array or plain object).`);
    }
    // Copy on write: a tool holding the old object never sees it change under it.
    const next = { ...this.values };
    if (value === undefined) delete next[key];
    else next[key] = value;
    this.values = next;
    this.dirty = true;
  }

  /** Called once an append stored them. */
  markSaved(): void {
    this.dirty = false;
  }
}

function isJson(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && Object.values(value).every(isJson);
}
