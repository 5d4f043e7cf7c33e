import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { editPackageJson, editRequirement, editYaml, renderScalar, type YamlEdit } from '../../src/propose/edit.js';

const FIX = join(import.meta.dirname, '../fixtures/propose');
const read = (f: string) => readFile(join(FIX, f), 'utf8');

describe('YAML edits keep the file (golden files)', () => {
  it.each<[string, YamlEdit[]]>([
    ['comments', [
      { path: ['packages', 'pip', 'numpy'], value: '1.26.5' },
      { path: ['packages', 'pip', 'torch'], value: '2.4.0' },
      { path: ['packages', 'pip', 'scipy'], value: '1.14.1' },
      { path: ['packages', 'npm', 'left-pad'], value: '1.3.1' },
    ]],
    ['flow', [
      { path: ['packages', 'pip', 'black'], value: '24.2.0' },
      { path: ['packages', 'pip', 'ruff'], value: '0.4.10' },
      { path: ['packages', 'npm', 'typescript'], value: '5.5.0' },
    ]],
    // CRLF stays CRLF, also on inserted lines; a plain-looking version that YAML would read as a number is quoted
    ['crlf', [
      { path: ['overrides', 'system', 'apt', 'curl'], value: '7.88.1-10+deb12u5' },
      { path: ['overrides', 'system', 'apt', 'jq'], value: '1.6-2.1' },
      { path: ['overrides', 'sandbox:py', 'pip', 'alpha'], value: '1.10' },
    ]],
  ])('%s', async (name, edits) => {
    const input = await read(`${name}.yaml`);
    expect(editYaml(input, edits)).toBe(await read(`${name}.expected.yaml`));
  });

  it('changes nothing when the value is already there', async () => {
    const input = await read('comments.yaml');
    expect(editYaml(input, [{ path: ['packages', 'pip', 'numpy'], value: '1.26.4' }])).toBe(input);
  });

  it('inserts into a flow map in flow style', () => {
    expect(editYaml('overrides: {system: {pip: {a: "1"}}}\n', [{ path: ['overrides', 'system', 'pip', 'b'], value: '2' }]))
      .toBe('overrides: {system: {pip: {a: "1", b: "2"}}}\n');
    expect(editYaml('labels: {}\n', [{ path: ['labels', 'k'], value: 'v' }])).toBe('labels: {k: "v"}\n');
  });

  it('refuses a path through a value that is not a map', () => {
    expect(() => editYaml('packages: [a]\n', [{ path: ['packages', 'pip', 'a'], value: '1' }])).toThrow(/not a map/);
  });

  it.each([
    ['1.0.1', 'PLAIN', '1.0.1'], ['1.10', 'PLAIN', '"1.10"'], ['2', 'PLAIN', '"2"'], ["it's", 'QUOTE_SINGLE', "'it''s'"], ['1.0', 'QUOTE_DOUBLE', '"1.0"'],
  ])('renders %s as %s: %s', (value, type, out) => {
    expect(renderScalar(value, type)).toBe(out);
  });
});

describe('imports are edited in their own format', () => {
  it('requirements.txt: only the ==version of that line', async () => {
    let text = await read('requirements.txt');
    text = editRequirement(text, 2, 'numpy', '1.26.5');
    text = editRequirement(text, 3, 'torch', '2.4.0');
    expect(text).toBe(await read('requirements.expected.txt'));
    expect(() => editRequirement(text, 2, 'torch', '9')).toThrow(/does not pin torch/);
  });

  it('package.json: the value of that dependency, not the devDependency of the same name', async () => {
    const text = editPackageJson(await read('package.json'), 'express', '4.21.0');
    expect(text).toBe(await read('package.expected.json'));
    expect(editPackageJson(text, 'left-pad', '1.3.1')).toContain('"dependencies": {\n        "left-pad": "1.3.1"');
    expect(editPackageJson(text, 'left-pad', '1.3.1')).toContain('"devDependencies": { "left-pad": "1.0.0" }');
  });
});
