// esbuild plugins for the socket handlers' bundles: serverless-esbuild's `plugins` (sls package,
// sls offline, pnpm dev) and the bench's cold-start builds (packages/bench, section cold-start).
'use strict';
const { sdkSurfaces } = require('../../packages/shared/build/sdk-surfaces.cjs');

module.exports = [sdkSurfaces];
