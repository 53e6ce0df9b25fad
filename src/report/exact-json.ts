// JSON text of report values whose counts may be bigints (above 2^53): JSON.stringify refuses
// a bigint, and a number there would round. A bigint is written as its plain digits, a JSON
// integer like any other; a reader that wants them exact parses them as such.

/**
 * The text JSON.stringify(value, null, indent) gives (indent 0: none), with bigints as plain
 * integers. JSON.stringify itself writes it when there is no bigint, which is nearly always.
 */
export function jsonText(value: unknown, indent = 0): string {
  try {
    return JSON.stringify(value, null, indent);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    // a bigint somewhere: the slower writer below, which knows them
    return write(value, indent > 0 ? ' '.repeat(indent) : '', '') ?? 'null';
  }
}

/** JSON.stringify's algorithm for plain data (undefined: the member or value is left out). */
function write(value: unknown, step: string, indent: string): string | undefined {
  switch (typeof value) {
    case 'bigint': return value.toString();
    case 'string': case 'number': case 'boolean': return JSON.stringify(value);
    case 'undefined': case 'function': case 'symbol': return undefined;
  }
  if (value === null) return 'null';
  const inner = indent + step;
  const open = step ? `\n${inner}` : '';
  const separator = step ? `,\n${inner}` : ',';
  const close = step ? `\n${indent}` : '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((item) => write(item, step, inner) ?? 'null').join(separator)}${close}]`;
  }
  const object = value as { toJSON?: () => unknown } & Record<string, unknown>;
  if (typeof object.toJSON === 'function') return write(object.toJSON(), step, indent);
  const members: string[] = [];
  for (const key of Object.keys(object)) {
    const text = write(object[key], step, inner);
    if (text !== undefined) members.push(`${JSON.stringify(key)}${step ? ': ' : ':'}${text}`);
  }
  return members.length === 0 ? '{}' : `{${open}${members.join(separator)}${close}}`;
}
