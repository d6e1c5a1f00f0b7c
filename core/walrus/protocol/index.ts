export * from './confirmation.js';
export * from './bls.js';
export * from './quorum.js';
