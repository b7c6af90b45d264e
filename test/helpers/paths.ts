// Where the built anode and the fixtures are, for tests that run the real thing.
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ANODE_BIN = fileURLToPath(new URL('../../bin/anode.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const TEST_FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
