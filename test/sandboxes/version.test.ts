import { describe, expect, it } from 'vitest';
import { parseToolVersion, versionMatches } from '../../src/sandboxes/version.js';

describe('parseToolVersion', () => {
  it.each([
    ['Python 3.11.2\n', '3.11.2'],
    ['v20.20.2\n', '20.20.2'],
    ['conda 24.1.2', '24.1.2'],
    ['mamba 1.5.8\nconda 24.1.2\n', '1.5.8'],
    ['1.5.6\n', '1.5.6'],
    ['Python 3.13.0rc1', '3.13.0'],
    ['pyenv: python3.12: command not found', undefined],
    ['', undefined],
  ])('%j → %s', (text, want) => expect(parseToolVersion(text)).toBe(want));
});

describe('versionMatches', () => {
  it.each<[string, string, boolean]>([
    ['3.11', '3.11.2', true],
    ['3.11.9', '3.11.2', true], // major.minor is what a venv pins
    ['3.1', '3.11.2', false],
    ['3.12', '3.11.2', false],
    ['3', '3.11.2', true],
    ['20', '20.20.2', true],
    ['18', '20.20.2', false],
    ['20.19', '20.20.2', false],
  ])('%s vs %s → %s', (w, f, want) => expect(versionMatches(w, f)).toBe(want));
});
