// Time, injected: code reads the time from a Clock handed to it, so tests can run on a fake one.
// Only a composition root (the CLI, the controller's start) picks the system clock.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A Clock that can also wait (a rate limiter's). */
export interface SleepingClock extends Clock {
  sleep(ms: number): Promise<void>;
}

export const systemClock: SleepingClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
