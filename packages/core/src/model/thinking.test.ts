import { describe, expect, it } from 'vitest';
import { splitThinking, ThinkingFilter } from './thinking.js';

const SAMPLE =
  '<thinking>The user wants failed ECS tasks. I will query the database.</thinking>\n\nThere are 7 failed tasks.<thinking>Double-check payments.</thinking> Done.';

describe('ThinkingFilter', () => {
  it('separates rationale from the answer in one piece', () => {
    const { answer, rationale } = splitThinking(SAMPLE);
    expect(answer).toBe('\n\nThere are 7 failed tasks. Done.');
    expect(rationale).toBe('The user wants failed ECS tasks. I will query the database.\n\nDouble-check payments.');
  });

  it('gives the same split whatever the delta boundaries', () => {
    for (let size = 1; size <= 17; size++) {
      const filter = new ThinkingFilter();
      let answer = '';
      for (let i = 0; i < SAMPLE.length; i += size) answer += filter.push(SAMPLE.slice(i, i + size));
      answer += filter.flush();
      expect(answer, `chunk size ${size}`).toBe('\n\nThere are 7 failed tasks. Done.');
      expect(filter.rationale).toBe('The user wants failed ECS tasks. I will query the database.\n\nDouble-check payments.');
    }
  });

  it('leaves text without tags alone, including a lone "<"', () => {
    expect(splitThinking('a < b and <think> is not a tag')).toEqual({ answer: 'a < b and <think> is not a tag', rationale: undefined });
    const filter = new ThinkingFilter();
    expect(filter.push('x <thin')).toBe('x ');
    expect(filter.flush()).toBe('<thin');
  });

  it('treats an unclosed section (output cut by maxTokens) as thinking', () => {
    expect(splitThinking('<thinking>I should call the tool')).toEqual({ answer: '', rationale: 'I should call the tool' });
  });
});
