import { EventEmitter } from 'eventemitter3';

type Registered = { fn: (...args: unknown[]) => void; context: unknown; once: boolean };

/**
 * `agent.events`: an eventemitter3 emitter whose `emit` calls every listener even when an earlier one
 * throws. A listener's exception goes to `failed`, never to the loop, so one broken listener can
 * neither change a run nor keep the others from hearing about it.
 */
export class IsolatingEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  constructor(private readonly failed: (eventType: string, error: unknown) => void) {
    super();
  }

  override emit<T extends EventEmitter.EventNames<Events>>(event: T, ...args: EventEmitter.EventArgs<Events, T>): boolean {
    // eventemitter3 keeps one listener as an object and several as an array; a snapshot, so a
    // listener that adds or removes listeners does not change who hears this event.
    const stored = (this as unknown as { _events: Record<string | symbol, Registered | Registered[] | undefined> })._events[
      event as string | symbol
    ];
    if (stored === undefined) return false;
    const listeners = Array.isArray(stored) ? [...stored] : [stored];
    for (const listener of listeners) {
      if (listener.once) this.removeListener(event, listener.fn as never, listener.context, true);
      try {
        listener.fn.apply(listener.context, args as unknown[]);
      } catch (error) {
        this.failed(String(event), error);
      }
    }
    return true;
  }
}
