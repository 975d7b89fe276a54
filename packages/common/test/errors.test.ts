import { describe, it, expect } from 'vitest';
import { FileFormatError, FileNotFoundError, InvalidParameterError, ShapeMismatchError, StereoSdkError } from '@stereo-sdk/common';

describe('typed errors', () => {
  it('carry a stable code, their class name and the StereoSdkError base', () => {
    const cases: [StereoSdkError, string, string][] = [
      [new InvalidParameterError('bad width'), 'ERR_INVALID_PARAMETER', 'InvalidParameterError'],
      [new FileFormatError('a.pfm', 'truncated'), 'ERR_FILE_FORMAT', 'FileFormatError'],
      [new FileNotFoundError('m.onnx'), 'ERR_FILE_NOT_FOUND', 'FileNotFoundError'],
      [new ShapeMismatchError('640x480 vs 640x360'), 'ERR_SHAPE_MISMATCH', 'ShapeMismatchError'],
    ];
    for (const [err, code, name] of cases) {
      expect(err).toBeInstanceOf(StereoSdkError);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
      expect(err.name).toBe(name);
    }
  });

  it('FileFormatError names the file and keeps the cause', () => {
    const cause = new Error('zlib: bad header');
    const err = new FileFormatError('left.png', 'not a PNG', { cause });
    expect(err.message).toBe('left.png: not a PNG');
    expect(err.file).toBe('left.png');
    expect(err.cause).toBe(cause);
  });

  it('FileNotFoundError says what is missing and, when given, how to fix it', () => {
    expect(new FileNotFoundError('x.bin').message).toBe('x.bin: file not found');
    const err = new FileNotFoundError('models/s.onnx', 'model', 'Pass modelPath.');
    expect(err.message).toBe('models/s.onnx: model not found. Pass modelPath.');
    expect(err.file).toBe('models/s.onnx');
  });

  it('subclasses in other packages get their own name and code', () => {
    class CustomError extends StereoSdkError {
      constructor() {
        super('ERR_CUSTOM', 'custom');
      }
    }
    const err = new CustomError();
    expect(err.name).toBe('CustomError');
    expect(err.code).toBe('ERR_CUSTOM');
    expect(err).toBeInstanceOf(StereoSdkError);
  });
});
