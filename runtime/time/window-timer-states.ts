/**
 * The window operators' convention for a window's timer: a window [start, end) kept in a map state under the map
 * key `[start, end]` has one event-time timer at its max timestamp, end - 1, namespaced by its start as text
 * (operators/window-keys.ts makes both). An operator whose every such entry has that timer pending, and every
 * such pending timer its entry, declares those states (`StreamOperator.windowTimerStates`): a checkpoint's base
 * then leaves the window timers out (the timer service's window groups, which are most of a window operator's
 * timers) and a restore registers them again from the entries (`TimerService.restore`). Checkpoint metadata
 * version 8 records that a base may do so (metadata-v8.ts).
 *
 * A state may hold several windows in one entry (the window aggregate packs a key's windows in one value:
 * operators/packed-windows.ts); its operator then declares, with the state, the decoder that lists an entry's
 * windows (`WindowTimerState`). Checkpoint metadata version 9 records that entries may be packed (metadata-v9.ts).
 */

/** Lists the windows [start, end) of an entry of a window state, each implying its timer. */
export type WindowEntryDecoder = (mapKey: unknown, value: unknown, visit: (start: number, end: number) => void) => void;

/**
 * A map state whose entries are windows (`StreamOperator.windowTimerStates`): its name alone when each entry is one
 * window under the map key `[start, end]`; else with the decoder of its entries.
 */
export type WindowTimerState = string | { readonly state: string; readonly windowsOfEntry: WindowEntryDecoder };

/** The decoder of the state's entries (`windowTimerOfEntry`'s one window per entry, unless it declares its own). */
export function windowEntryDecoder(state: WindowTimerState): WindowEntryDecoder {
  if (typeof state !== 'string') return state.windowsOfEntry;
  return (mapKey, _value, visit) => {
    if (windowTimerOfEntry(mapKey) !== undefined) visit((mapKey as number[])[0]!, (mapKey as number[])[1]!);
  };
}

export function windowTimerStateName(state: WindowTimerState): string {
  return typeof state === 'string' ? state : state.state;
}

/** The namespace of window [start, end)'s timer. */
export function windowTimerNamespace(start: number): string {
  return String(start);
}

/** The window [start, end) whose timer this is: its start from the namespace, its end one past the timestamp. */
export function windowStartOfTimer(namespace: string): number {
  return Number(namespace);
}

export function windowEndOfTimer(timestamp: number): number {
  return timestamp + 1;
}

/** The timer implied by a window entry's map key `[start, end]`; undefined for a map key of another shape. */
export function windowTimerOfEntry(mapKey: unknown): { timestamp: number; namespace: string } | undefined {
  if (!Array.isArray(mapKey) || mapKey.length !== 2) return undefined;
  const [start, end] = mapKey as unknown[];
  if (typeof start !== 'number' || typeof end !== 'number') return undefined;
  return { timestamp: end - 1, namespace: windowTimerNamespace(start) };
}
