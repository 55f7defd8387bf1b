/** Seconds since the epoch; injected so tests run on a fixed clock. */
export type Clock = () => number;

export const systemClock: Clock = () => Math.floor(Date.now() / 1000);
