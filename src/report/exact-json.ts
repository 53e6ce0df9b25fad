// JSON text of report values whose counts may be bigints (above 2^53): JSON.stringify refuses
// a bigint, and a number there would round. A bigint is written as its plain digits, a JSON
// integer like any other; a reader that wants them exact parses them as such.

/**
 * The text JSON.stringify(value, null, indent) gives (indent 0: none), with bigints as plain
 * integers; with `depth`, as it appears nested that many levels deep (its first line not indented). JSON.stringify itself writes every part that holds no bigint, which is nearly all.
 */
export function jsonText(value: unknown, indent = 0, depth = 0): string {
  // `depth`: the text of a value nested that many levels deep in another document
  const step = indent > 0 ? ' '.repeat(indent) : '';
  return write(value, step, step.repeat(depth)) ?? 'null';
}

/**
 * JSON.stringify's text of `value` at `indent` (undefined: the member or value is left out): its
 * own when it can, else member by member.
 */
function write(value: unknown, step: string, indent: string): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  try {
    return nested(value, step, indent);
  } catch (error) {
    // a bigint somewhere inside (JSON.stringify stops at the first): the parts one by one
    if (!(error instanceof TypeError)) throw error;
  }
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

/**
 * JSON.stringify's text of `value` indented as at `indent`: wrapped in as many arrays as levels,
 * whose text around it is then cut off (cheaper than re-indenting the text line by line).
 */
function nested(value: object, step: string, indent: string): string {
  if (!step || !indent) return JSON.stringify(value, null, step);
  const depth = indent.length / step.length;
  let wrapped: unknown = value;
  for (let level = 0; level < depth; level++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, step);
  // level i (from 1) opens with "[\n" and its indent, and closes with "\n", the indent of level i - 1 and "]"
  let before = 0;
  let after = 0;
  for (let level = 1; level <= depth; level++) {
    before += 2 + level * step.length;
    after += 2 + (level - 1) * step.length;
  }
  return text.slice(before, text.length - after);
}
