/**
 * Progress reporting for long jobs: a cli-progress bar on a TTY, plain periodic lines otherwise
 * (CI logs and pipes must not fill with carriage returns).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Advances to `value` (absolute), with optional extra fields shown after the bar. */
  update(value: number, info?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * @param label - what is progressing, e.g. `synth`.
 * @param total - the value that means done.
 * @param stream - where to draw; defaults to stderr so stdout stays clean for JSON.
 */
export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% {value}/{total} eta {eta_formatted} {info}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return {
      update: (v, info) => bar.update(v, { info: formatInfo(info) }),
      stop: () => bar.stop(),
    };
  }
  // Plain lines: at most one per ~10 % plus the last, so logs stay readable.
  const step = Math.max(1, Math.floor(total / 10));
  let last = -1;
  const started = Date.now();
  return {
    update(v, info) {
      if (v === total || last < 0 || v - last >= step) {
        last = v;
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        stream.write(`${label}: ${v}/${total} (${Math.round((100 * v) / total)}%) ${secs}s ${formatInfo(info)}\n`);
      }
    },
    stop() {},
  };
}

function formatInfo(info?: Record<string, string | number>): string {
  if (!info) return '';
  return Object.entries(info).map(([k, v]) => `${k}=${v}`).join(' ');
}
