// One structured logger for every function, the worker and the local stack.
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({
  serviceName: 'stevedore',
  logLevel: (process.env.STEVEDORE_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO') as 'INFO',
});
