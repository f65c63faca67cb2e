const OPEN = '<thinking>';
const CLOSE = '</thinking>';

/**
 * Splits Nova's `<thinking>…</thinking>` text from the answer as it streams. Tags can arrive split
 * across deltas, so a trailing fragment that could still become a tag is held back until the next
 * chunk (or `flush`) decides it.
 */
export class ThinkingFilter {
  private inside = false;
  private held = '';
  private readonly rationaleParts: string[] = [];
  private current = '';

  /** Feeds one delta; returns the part of it that is answer text. */
  push(chunk: string): string {
    let buffer = this.held + chunk;
    this.held = '';
    let visible = '';
    for (;;) {
      const tag = this.inside ? CLOSE : OPEN;
      const at = buffer.indexOf(tag);
      if (at >= 0) {
        if (this.inside) {
          this.current += buffer.slice(0, at);
          this.endSection();
        } else {
          visible += buffer.slice(0, at);
        }
        this.inside = !this.inside;
        buffer = buffer.slice(at + tag.length);
        continue;
      }
      const keep = partialTagSuffix(buffer, tag);
      const settled = buffer.slice(0, buffer.length - keep);
      this.held = buffer.slice(buffer.length - keep);
      if (this.inside) this.current += settled;
      else visible += settled;
      return visible;
    }
  }

  /** Ends the text: a held fragment was not a tag after all; an unclosed section still counts as thinking. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    if (this.inside) {
      this.current += rest;
      this.endSection();
      this.inside = false;
      return '';
    }
    return rest;
  }

  /** The thinking sections seen so far, joined by blank lines; `undefined` if there were none. */
  get rationale(): string | undefined {
    return this.rationaleParts.length > 0 ? this.rationaleParts.join('\n\n') : undefined;
  }

  private endSection(): void {
    const text = this.current.trim();
    if (text) this.rationaleParts.push(text);
    this.current = '';
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagSuffix(text: string, tag: string): number {
  // Such a suffix starts with the tag's '<' within its last tag.length - 1 characters: most deltas
  // have none there, and cost one indexOf.
  for (let at = text.indexOf('<', Math.max(0, text.length - tag.length + 1)); at >= 0; at = text.indexOf('<', at + 1)) {
    if (tag.startsWith(text.slice(at))) return text.length - at;
  }
  return 0;
}

/** The answer and rationale of a whole text, for callers that have it at once. */
export function splitThinking(text: string): { answer: string; rationale: string | undefined } {
  const filter = new ThinkingFilter();
  const answer = filter.push(text) + filter.flush();
  return { answer, rationale: filter.rationale };
}
