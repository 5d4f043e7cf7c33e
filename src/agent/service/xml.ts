/** Escapes text for an XML element's content; `\r` becomes a character reference because parsers turn a raw one into `\n`. */
export function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}
