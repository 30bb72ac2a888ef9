// One structured logger for every function, the worker and the local stack. Its level comes
// from the configuration (`STEVEDORE_LOG_LEVEL`), set by the composition root (lib/services.ts).
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from './config.ts';

export const logger = new Logger({ serviceName: 'stevedore' });

export function setLogLevel(level: LogLevel): void {
  logger.setLogLevel(level);
}
