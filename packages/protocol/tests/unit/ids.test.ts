import { describe, expect, it } from 'vitest';
import { STAGE_PATTERN, isValidUserId } from '../../src/index.ts';

describe('STAGE_PATTERN', () => {
  it.each(['dev', 'prod-eu-1', '0', 'a'.repeat(32)])('accepts %j', (stage) => {
    expect(STAGE_PATTERN.test(stage)).toBe(true);
  });

  it.each(['', '-dev', 'Prod', 'a_b', 'a'.repeat(33), 'dev\n'])('refuses %j', (stage) => {
    expect(STAGE_PATTERN.test(stage)).toBe(false);
  });
});

describe('isValidUserId', () => {
  it.each([
    ['alice@example.com', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['a b', false],
    [7, false],
  ])('%j: %s', (value, expected) => {
    expect(isValidUserId(value)).toBe(expected);
  });
});
