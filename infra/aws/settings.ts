// Deployment settings from CDK context (`cdk synth -c shareFolders=test:rw,Public:ro`), checked
// at synth time with the same rules the functions apply at start, so a bad value fails the
// synth instead of every cold start.
import { API_GATEWAY_TIMEOUT_SECONDS, LONG_POLL_HEADROOM_SECONDS, MAX_POLL_SECONDS, parseShareFolders } from '../../lib/config.ts';
/** Timeout of every other HTTP function: generous for one S3 or DynamoDB round of work. */
export const HTTP_TIMEOUT_SECONDS = 15;

export interface StevedoreSettings {
  /** `STEVEDORE_SHARE_FOLDERS`: `name[:rw|:ro][:quota]`, comma separated. */
  shareFolders: string;
  /** `STEVEDORE_POLL_SECONDS`: the upper bound of one progress long poll. */
  pollSeconds: number;
}

export const DEFAULT_SETTINGS: StevedoreSettings = { shareFolders: 'test:rw', pollSeconds: 20 };

/** Reads and checks the settings; `context` is `node.tryGetContext` of the app or stack. */
export function readSettings(context: (key: string) => unknown): StevedoreSettings {
  const problems: string[] = [];
  const shareFolders = String(context('shareFolders') ?? DEFAULT_SETTINGS.shareFolders).trim();
  parseShareFolders(shareFolders, problems);

  const rawPoll = context('pollSeconds') ?? DEFAULT_SETTINGS.pollSeconds;
  const pollSeconds = Number(rawPoll);
  const maxPoll = MAX_POLL_SECONDS;
  if (!Number.isInteger(pollSeconds) || pollSeconds < 1 || pollSeconds > maxPoll) {
    problems.push(
      `pollSeconds: "${String(rawPoll)}" must be a whole number from 1 to ${maxPoll}: a long poll's function runs up to ` +
        `${LONG_POLL_HEADROOM_SECONDS} s past its bound and must answer before API Gateway's ${API_GATEWAY_TIMEOUT_SECONDS} s limit`,
    );
  }

  if (problems.length > 0) throw new Error(`invalid CDK context:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { shareFolders, pollSeconds };
}

/** The timeout of a long-poll function: just above its poll bound. */
export function longPollTimeoutSeconds(settings: StevedoreSettings): number {
  return settings.pollSeconds + LONG_POLL_HEADROOM_SECONDS;
}
