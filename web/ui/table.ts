import { el } from './format.js';

/** A table with a header row and one row per item; `rowAttributes` tags rows (for clicks and tests). */
export function table<T>(headers: readonly string[], items: readonly T[], cells: (item: T) => (string | Node)[], rowAttributes: (item: T) => Record<string, string> = () => ({})): HTMLTableElement {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...items.map((item) => el('tr', rowAttributes(item), ...cells(item).map((c) => el('td', {}, c))))),
  );
}
