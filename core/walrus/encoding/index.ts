export * from './config.js';
export * from './bcs.js';
export * from './merkle.js';
export * from './blob-id.js';
export * from './sliver-hash.js';
export * from './codec.js';
export * from './pool.js';
