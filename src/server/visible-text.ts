// The program's raw console output made visible for a served client, as `cat -v` shows it: a control
// character becomes ^X (ESC is ^[, NUL ^@, DEL ^?), a C1 control M-^X; newlines and tabs stay. A client's
// terminal then shows exactly what the program wrote, and no escape sequence of the program's can move its
// cursor, retitle its window, or hide text from it.

/** `text` with its control characters shown, cat -v style. */
export function visibleText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x7f) return '^?';
    if (code >= 0x80) return `M-^${String.fromCharCode((code - 0x80) ^ 0x40)}`;
    return `^${String.fromCharCode(code ^ 0x40)}`;
  });
}
