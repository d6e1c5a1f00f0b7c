export * from './confirmation.js';
export * from './bls.js';
