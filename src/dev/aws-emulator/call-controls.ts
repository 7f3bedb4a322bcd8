// What a test can make the next call of an action do: fail with a chosen AWS error, or wait in
// flight until released. Checked before anything else, so even an unsigned call obeys.
import { AwsFault } from './wire.ts';

export interface InjectedError {
  code: string;
  message: string;
  status: number;
}

export interface HeldCall {
  /** Resolves when the held call has arrived. */
  reached: Promise<void>;
  release(): void;
}

export interface CallControls {
  failNext(action: string, error: InjectedError): void;
  holdNext(action: string): HeldCall;
  /** Waits out a hold on `action`, then throws its injected error if one is queued. */
  apply(action: string): Promise<void>;
}

interface Hold {
  arrived(): void;
  released: Promise<void>;
}

export function createCallControls(): CallControls {
  const injected = new Map<string, InjectedError[]>();
  const holds = new Map<string, Hold[]>();
  return {
    failNext(action, error) {
      injected.set(action, [...(injected.get(action) ?? []), error]);
    },
    holdNext(action) {
      let arrived = () => {};
      let release = () => {};
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.set(action, [...(holds.get(action) ?? []), { arrived, released }]);
      return { reached, release };
    },
    async apply(action) {
      const hold = holds.get(action)?.shift();
      if (hold) {
        hold.arrived();
        await hold.released;
      }
      const failure = injected.get(action)?.shift();
      if (failure) throw new AwsFault(failure.code, failure.message, failure.status);
    },
  };
}
