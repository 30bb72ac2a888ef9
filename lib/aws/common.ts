// What every SDK client of stevedore is built with besides its region and endpoint.
import type { Config } from '../config.ts';

export type BackendTimeouts = Pick<Config, 'backendConnectTimeoutMs' | 'backendIdleTimeoutMs'>;

/** `idleMs`: the requests' idle timeout, the API's by default (transfers have their own). */
export function commonClientSettings(config: BackendTimeouts, idleMs = config.backendIdleTimeoutMs) {
  return {
    maxAttempts: 5,
    // Idle, not total, time: a healthy part upload of any size keeps its socket busy and is
    // never cut, while a backend that stopped answering (a paused process, a dead peer that
    // sent no reset) fails the request after the idle time instead of holding it forever.
    requestHandler: { connectionTimeout: config.backendConnectTimeoutMs, socketTimeout: idleMs },
  };
}
