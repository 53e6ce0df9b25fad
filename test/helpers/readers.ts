// Readers of report text for tests: CSV as RFC 4180 writes it, and JSON with exact 64-bit counts.

/**
 * RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks; records end in
 * LF, the last one too unless `lastEnded` is false (text typed in a test, say).
 */
export function parseCsv(text: string, lastEnded = true): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; } else if (c === '\n') { record.push(field); records.push(record); record = []; field = ''; } else field += c;
  }
  if (record.length > 0 || field !== '') {
    if (lastEnded) throw new Error(`CSV text ends inside a record: ${JSON.stringify(field)}`);
    record.push(field);
    records.push(record);
  }
  return records;
}

/**
 * JSON.parse with integers of 16 digits or more as bigints when they are not safe numbers (the
 * report's Count). Node 20 has no source text in a reviver: such integers become tagged strings
 * first (the reports read here hold no such digits inside strings).
 */
export function parseExact(text: string): unknown {
  const tagged = text.replace(/(?<=[:[,]\s*)(\d{16,})(?=\s*[,\]}\n])/g, '"#big $1"');
  return JSON.parse(tagged, (_key, value: unknown) => {
    if (typeof value !== 'string' || !value.startsWith('#big ')) return value;
    const n = BigInt(value.slice(5));
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  });
}
