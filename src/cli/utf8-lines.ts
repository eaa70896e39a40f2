// Owns turning many text lines into one UTF-8 buffer for a file or another thread.

/**
 * The lines, each followed by "\n", as UTF-8 in one buffer of its own (transferable to another thread). Encodes line
 * by line into the buffer: joining thousands of JSON lines into one string first cost many times more.
 */
export function utf8Lines(lines: readonly string[]): Buffer {
  let max = 0;
  for (const l of lines) max += l.length * 3 + 1;
  const buf = Buffer.allocUnsafeSlow(max);
  let at = 0;
  for (const l of lines) {
    at += buf.write(l, at, 'utf8');
    buf[at++] = 10;
  }
  return buf.subarray(0, at);
}
