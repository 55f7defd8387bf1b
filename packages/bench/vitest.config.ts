import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// Unit tests of the bench's own machinery (the management API simulator); the bench itself is never a test.
export default defineConfig({ test: sharedTestConfig });
