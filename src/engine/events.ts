/** A tiny typed event emitter for engine events; a throwing listener does not break the engine. */
import type { EngineEvent, EngineEventName, EngineEventOf } from './types.js';

type Listener = (e: EngineEvent) => void;

export class EngineEvents {
  private listeners = new Map<EngineEventName, Set<Listener>>();
  /** Errors thrown by listeners, kept so tests and callers can inspect them. */
  readonly listenerErrors: unknown[] = [];

  on<N extends EngineEventName>(name: N, fn: (e: EngineEventOf<N>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    const l = fn as Listener;
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  /** True when someone listens to `name`: hot paths skip building events nobody receives. */
  has(name: EngineEventName): boolean {
    const set = this.listeners.get(name);
    return set !== undefined && set.size > 0;
  }

  emit(e: EngineEvent, sink?: EngineEvent[]): void {
    sink?.push(e);
    const set = this.listeners.get(e.type);
    if (!set) return;
    for (const l of [...set]) {
      try {
        l(e);
      } catch (err) {
        this.listenerErrors.push(err);
      }
    }
  }
}
