// Password hashes: argon2id (memory-hard, node:crypto's own), salted per password and kept as
// the standard PHC string `$argon2id$v=19$m=..,t=..,p=..$salt$hash`, so that a later change
// of cost parameters still verifies every hash stored before it.
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

/** OWASP's first argon2id configuration: 19 MiB, 2 passes, 1 lane. */
const COST = { memory: 19_456, passes: 2, parallelism: 1 } as const;
const SALT_BYTES = 16;
const TAG_BYTES = 32;

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

interface Cost {
  memory: number;
  passes: number;
  parallelism: number;
}

function derive(password: string, salt: Buffer, cost: Cost, tagLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2('argon2id', { message: password, nonce: salt, tagLength, ...cost }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const tag = await derive(password, salt, COST, TAG_BYTES);
  return `$argon2id$v=19$m=${COST.memory},t=${COST.passes},p=${COST.parallelism}$${b64(salt)}$${b64(tag)}`;
}

/** Whether `password` is the one `encoded` was made from; the comparison takes the same time wherever they differ. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const match = PHC.exec(encoded);
  if (!match) return false;
  const [, m, t, p, salt, tag] = match;
  const expected = Buffer.from(tag!, 'base64');
  const actual = await derive(password, Buffer.from(salt!, 'base64'), { memory: Number(m), passes: Number(t), parallelism: Number(p) }, expected.length);
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/**
 * A hash no password matches, made with the current cost: a login naming an unknown user is
 * verified against it, so that it takes as long as a wrong password for a real one.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('base64'));
  return dummy;
}
