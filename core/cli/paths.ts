/**
 * Paths inside a snapshot on the command line, in the same text form `floe ls` prints and
 * the API uses (core/repo/names.ts): UTF-8, with %XX for bytes that are not, so a name in
 * any encoding can be typed back byte for byte.
 */
import { MalformedNameError, RelativePathError, textToPath } from '../repo/names.js';
import { UsageError } from './errors.js';

export function cliPath(text: string): Uint8Array[] {
  try {
    return textToPath(text);
  } catch (error) {
    if (error instanceof MalformedNameError || error instanceof RelativePathError)
      throw new UsageError(error.message);
    throw error;
  }
}
