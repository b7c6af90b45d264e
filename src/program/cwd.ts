// The working directory, which may have been deleted under anode (node itself runs fine there as long as
// nothing relative is asked for): undefined then, instead of the ENOENT process.cwd() throws.
import { ignored } from '../log/debug.js';

/** process.cwd(), or undefined when the working directory no longer exists. */
export function workingDirectory(): string | undefined {
  try {
    return process.cwd();
  } catch (err) {
    ignored('reading the working directory', err);
    return undefined;
  }
}
