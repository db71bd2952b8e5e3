// ESM entry of the package: re-exports the CommonJS build so both module systems share one tfjs instance.
import cjs from '../out/src/index.js';

export const { nn, tf } = cjs;
export default cjs;
