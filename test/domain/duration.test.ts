import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/domain/duration.ts';

describe('formatDuration', () => {
  it('reads as a person would say it, from seconds to hours', () => {
    expect(formatDuration(24)).toBe('24s');
    expect(formatDuration(59.6)).toBe('1m');
    expect(formatDuration(7 * 60 + 10)).toBe('7m');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(3600 + 5 * 60)).toBe('1h 5m');
    expect(formatDuration(null)).toBe('n/a');
    expect(formatDuration(-3)).toBe('0s');
  });
});
