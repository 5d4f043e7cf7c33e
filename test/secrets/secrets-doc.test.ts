// Parse errors of secrets/<host>.yaml and hosts/<host>.yaml: position only, never the source text (it may hold a clear-text value).
import { describe, expect, it } from 'vitest';
import { secretsDocument, withRecipient } from '../../src/secrets/secrets-doc.js';

const BROKEN_SECRETS = 'apiVersion: gitfleet/v1\nkind: Secrets\nname: h1\nsecrets:\n  A:\n    value: "unterminated LEAK-ME-123\n';
const BROKEN_HOST = 'apiVersion: gitfleet/v1\nkind: Host\nname: h1\nnote: [LEAK-ME-123\n';

describe('secrets-doc parse errors', () => {
  it.each([
    ['secretsDocument', () => secretsDocument(BROKEN_SECRETS, 'h1', 'secrets/h1.yaml'), 'secrets/h1.yaml'],
    ['withRecipient', () => withRecipient(BROKEN_HOST, 'h1', 'age1x', 'hosts/h1.yaml'), 'hosts/h1.yaml'],
  ])('%s names file and line but does not echo the source', (_name, fn, file) => {
    let err: unknown;
    try { fn(); } catch (e) { err = e; }
    expect(err).toMatchObject({ code: 'E_PARSE' });
    const message = (err as Error).message;
    expect(message).toMatch(new RegExp(`^${file.replace('.', '\\.')}:\\d+:\\d+: `));
    expect(message).not.toContain('LEAK-ME-123');
  });
});
