import { describe, expect, it } from 'vitest';
import { main } from '../src/program.js';

function capture() {
  const io = { outText: '', errText: '', out: (s: string) => void (io.outText += s), err: (s: string) => void (io.errText += s) };
  return io;
}

describe('stereo-sdk program', () => {
  it('prints its version', async () => {
    const io = capture();
    const code = await main(['node', 'stereo-sdk', '--version'], io);
    expect(code).toBe(0);
    expect(io.outText.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('prints help listing subcommands', async () => {
    const io = capture();
    const code = await main(['node', 'stereo-sdk', '--help'], io);
    expect(code).toBe(0);
    expect(io.outText).toContain('Usage: stereo-sdk');
    expect(io.outText).toContain('dataset');
  });
  it('rejects an unknown command with a non-zero code', async () => {
    const io = capture();
    const code = await main(['node', 'stereo-sdk', 'frobnicate'], io);
    expect(code).not.toBe(0);
    expect(io.errText).toContain('unknown command');
  });
});
