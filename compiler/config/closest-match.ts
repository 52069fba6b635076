/**
 * The candidate a misspelt `word` most likely meant, for "did you mean …?" hints: a case-insensitive match,
 * else the nearest by edit distance within about a third of the word's length, else the only candidate that
 * ends with the word as a dotted suffix ('checkpointing.interval' → 'execution.checkpointing.interval').
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const list = [...candidates];
  const sameLetters = list.find((c) => c.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;

  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of list) {
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined) return best;

  const bySuffix = list.filter((c) => c.toLowerCase().endsWith(`.${lower}`));
  return bySuffix.length === 1 ? bySuffix[0] : undefined;
}

/** `suggestion` as the start of a help sentence ("did you mean 'x'? "), or '' when there is none. */
export function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : `did you mean '${suggestion}'? `;
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit ('tabel' → 'table'), the optimal
 * string alignment variant of Damerau–Levenshtein; gives up (returning `cap`) once every path costs `cap`.
 */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, beforePrevious[j - 2]! + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= cap) return cap;
    beforePrevious = previous;
    previous = current;
  }
  return Math.min(previous[b.length]!, cap);
}
