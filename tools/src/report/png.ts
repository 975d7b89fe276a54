/**
 * SVG → PNG with sharp (librsvg). Text needs a system font: the charts ask for DejaVu Sans with
 * common fallbacks; on a machine without any font the shapes still render, the text does not.
 */
import { FileFormatError, is, writeFileAtomic } from '@stereo-sdk/core';
import sharp from 'sharp';

/**
 * Rasterizes SVG text to PNG bytes.
 * @param svg - a complete SVG document.
 * @param scale - pixel density multiplier in [0.25, 8]; default 1 (one PNG pixel per SVG unit).
 * @throws FileFormatError when librsvg cannot parse the SVG.
 * @example
 * const png = await renderPng(histogramSvg(samples), 2);
 */
export async function renderPng(svg: string, scale = 1): Promise<Uint8Array> {
  is.assertString('svg', svg);
  is.assertNumber('scale', scale, 0.25, 8);
  try {
    const out = await sharp(Buffer.from(svg, 'utf8'), { density: 72 * scale }).png({ compressionLevel: 9 }).toBuffer();
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (err) {
    throw new FileFormatError('<chart svg>', `cannot rasterize: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

/**
 * Rasterizes SVG text and writes it as a PNG, atomically.
 * @param path - destination `.png`; parent folders are created.
 * @param svg - a complete SVG document.
 * @param scale - pixel density multiplier; default 1.
 * @example
 * await writePng('latency.png', histogramSvg(result.samplesMs, { xLabel: 'ms' }));
 */
export async function writePng(path: string, svg: string, scale = 1): Promise<void> {
  is.assertString('path', path);
  await writeFileAtomic(path, await renderPng(svg, scale));
}
