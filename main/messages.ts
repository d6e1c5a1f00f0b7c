/** What the main process and the engine's utility process say to each other. */
export type HostMessage =
  | { type: 'ready'; url: string; token: string }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

export type MainMessage = { type: 'stop' };
