import { describe, expect, it } from 'vitest';
import { defaultVaultPath } from '../../main/vault/paths.js';

describe('default vault path', () => {
  it('follows XDG_DATA_HOME on Linux, else ~/.local/share', () => {
    expect(defaultVaultPath({ HOME: '/home/a', XDG_DATA_HOME: '/data' }, 'linux')).toBe('/data/keyhold/default.kvault');
    expect(defaultVaultPath({ HOME: '/home/a' }, 'linux')).toBe('/home/a/.local/share/keyhold/default.kvault');
    // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
    expect(defaultVaultPath({ HOME: '/home/a', XDG_DATA_HOME: 'rel' }, 'linux')).toBe(
      '/home/a/.local/share/keyhold/default.kvault',
    );
  });

  it('uses Application Support on macOS', () => {
    expect(defaultVaultPath({ HOME: '/Users/a' }, 'darwin')).toBe(
      '/Users/a/Library/Application Support/keyhold/default.kvault',
    );
  });
});
