/**
 * Splits a line into words the way a shell would for these formats: blanks separate, double
 * quotes group (with `\"` and `\\` inside), `#` outside quotes at a word's start ends the line.
 * iptables-save quotes comments and log prefixes this way.
 */
import { RuleValueError } from './errors.js';

export function splitWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') break;
    let word = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t' && line[i] !== '\r') {
      if (line[i] === '"') {
        const start = i;
        i++;
        for (;;) {
          if (i >= line.length) throw new RuleValueError(`unterminated quote starting at column ${start + 1}`);
          if (line[i] === '\\' && i + 1 < line.length) {
            word += line[i + 1];
            i += 2;
          } else if (line[i] === '"') {
            i++;
            break;
          } else word += line[i++];
        }
      } else word += line[i++];
    }
    words.push(word);
  }
  return words;
}
