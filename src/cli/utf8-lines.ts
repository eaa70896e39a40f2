// Owns turning many text lines into UTF-8 buffers for a file or another thread.

const CHUNK = 1 << 20;
const NONE: Buffer[] = [];

/**
 * Lines, each followed by "\n", encoded to UTF-8 as they are added, into buffers of their own (transferable to another
 * thread). Encoding at once lets each line's string die young: held in an array until the next flush, thousands of
 * case lines lived through several young-generation collections and were copied into the old generation. Line by
 * line into a buffer, because joining thousands of JSON lines into one string first cost many times more.
 */
export class Utf8Lines {
  private readonly sealed: Buffer[] = [];
  private buf = Buffer.allocUnsafeSlow(CHUNK);
  private at = 0;

  add(line: string): void {
    const need = line.length * 3 + 1;
    if (this.at + need > this.buf.length) {
      this.seal();
      if (need > this.buf.length) this.buf = Buffer.allocUnsafeSlow(need);
    }
    this.at += this.buf.write(line, this.at, 'utf8');
    this.buf[this.at++] = 10;
  }

  /** The buffers filled since the last take, in order; lines added later go to other buffers. */
  takeFull(): Buffer[] {
    return this.sealed.length ? this.sealed.splice(0) : NONE;
  }

  /** Everything added since the last take, in order. */
  take(): Buffer[] {
    this.seal();
    return this.takeFull();
  }

  private seal(): void {
    if (this.at === 0) return;
    this.sealed.push(this.buf.subarray(0, this.at));
    this.buf = Buffer.allocUnsafeSlow(CHUNK);
    this.at = 0;
  }
}
