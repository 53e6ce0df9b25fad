/**
 * JSON.parse forgets where things were; rule errors must name a line. This walks the text once
 * (strings skipped) and returns the 1-based line of every object that opens at a given nesting
 * depth: depth 1 for the elements of `[{...}, {...}]`, 2 for those of `{"nftables": [{...}]}`.
 */
export function objectLinesAtDepth(text: string, depth: number): number[] {
  const lines: number[] = [];
  let line = 1;
  let open = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34) {
      // a string: skip to its closing quote, past escapes
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 92) i++;
        else if (s === 34) break;
        else if (s === 10) line++;
      }
    } else if (c === 123 || c === 91) {
      if (c === 123 && open === depth) lines.push(line);
      open++;
    } else if (c === 125 || c === 93) open--;
  }
  return lines;
}
