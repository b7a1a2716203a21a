import type { EngineEvent } from '../contract/api';
import { printable } from './printable';

export type EventListener = (event: EngineEvent) => void;

/** Fan-out of engine events to every connected transport (WebSocket clients, Electron main). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // A broken subscriber must not stop the job that emitted the event.
        console.error(`event listener failed: ${printable(String((err as Error).message))}`);
      }
    }
  }
}
