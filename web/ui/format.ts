/** Numbers, sizes and times as the page shows them. */

export function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(perSecond < 10 && perSecond > 0 ? 1 : 0);
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function bytes(n: number | null): string {
  if (n === null) return '–';
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export function time(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function watermark(value: number | 'end' | null, lagMs: number | null): string {
  if (value === null) return '–';
  if (value === 'end') return 'end of input';
  return lagMs !== null && lagMs >= 0 && lagMs < 24 * 3600_000 ? `lag ${duration(lagMs)}` : time(value);
}

export function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/** An element with text and attributes, for building the page without a framework. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}
