// What a fuzz pass finds in the stack before it starts: a share folder holding an archive and a
// folder, and a built-in container, so that bent requests reach real work and not only 404s.
// Where the stack needs a session, also a live session and sessions that must not work: a
// forged token, an expired session, one logged out, and one of a user since removed.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { manifest } from '../../../functions/routes.ts';
import { provisionDemoImage } from '../../../infra/local/demo-image.ts';
import { newSessionToken, sessionTokenHash } from '../../../lib/auth/session-token.ts';
import { addUser, removeUser } from '../../../lib/auth/users.ts';
import { MAX_BODY_BYTES } from '../../../lib/http/app.ts';
import { SESSION_COOKIE } from '../../../lib/http/session.ts';
import { buildTar, configEntry, plainRootfsEntries } from '../../support/archives.ts';
import type { TestStack } from '../../support/stack-start.ts';
import type { FuzzContext } from './fuzz-requests.ts';
import type { FuzzTarget } from './fuzz-run.ts';

/** The stack seeded for a fuzz pass, and the target that pass aims at. */
export async function prepareFuzzTarget(stack: TestStack): Promise<FuzzTarget> {
  const authRequired = stack.cfg.auth === 'required';
  const sessions = authRequired ? await fuzzSessions(stack) : {};
  await seedFuzzData(stack, sessions.sessionCookie ? { cookie: sessions.sessionCookie } : {});
  return {
    url: stack.url,
    aws: stack.aws,
    tableName: stack.cfg.tableName,
    bucketName: stack.cfg.bucketName,
    routes: manifest,
    pollBoundMs: stack.cfg.pollBoundMs,
    context: { maxBodyBytes: MAX_BODY_BYTES, ...sessions },
    authRequired,
  };
}

async function seedFuzzData(stack: TestStack, headers: Record<string, string>): Promise<void> {
  const archive = await buildTar([configEntry({ type: 'lxc', name: 'web', image: 'demo' }), ...plainRootfsEntries().map((e) => ({ ...e, name: `rootfs/${e.name}` }))], { gzip: true });
  for (const [key, body] of [['test/', ''], ['test/fuzz/', ''], ['test/a.tgz', archive], ['test/a.tar', archive], ['test/fuzz/note.txt', 'note']] as const) {
    await stack.aws.s3.send(new PutObjectCommand({ Bucket: stack.cfg.bucketName, Key: key, Body: body }));
  }
  await provisionDemoImage(stack.services.builtinRuntime);
  const created = await fetch(`${stack.url}/api/v1/container`, { method: 'POST', headers, body: JSON.stringify({ type: 'lxc', name: 'web', image: 'demo', tag: 'latest' }) });
  if (created.status !== 200) throw new Error(`the fuzz's container was not made: ${created.status} ${await created.text()}`);
}

/** A live session of `admin`, and the cookies of sessions the stack must refuse. */
async function fuzzSessions(stack: TestStack): Promise<Pick<FuzzContext, 'sessionCookie' | 'staleCookies'>> {
  // Not the fuzz's own login body ("fuzz password"): no fuzzed login may start a session.
  const password = randomBytes(12).toString('hex');
  await addUser(stack.services.auth, 'admin', password, true);
  await addUser(stack.services.auth, 'former', password, false);
  const login = async (username: string) => {
    const answer = await fetch(`${stack.url}/api/v1/login`, { method: 'POST', body: JSON.stringify({ username, password }) });
    const cookie = answer.headers.getSetCookie().map((line) => line.split(';')[0]!).find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
    if (answer.status !== 200 || !cookie) throw new Error(`the fuzz's login as ${username} failed: ${answer.status} ${await answer.text()}`);
    return cookie;
  };
  const sessionCookie = await login('admin');
  const loggedOut = await login('admin');
  const logout = await fetch(`${stack.url}/api/v1/logout`, { method: 'PUT', headers: { cookie: loggedOut } });
  if (logout.status !== 200) throw new Error(`the fuzz's logout failed: ${logout.status} ${await logout.text()}`);
  const ofRemovedUser = await login('former');
  await removeUser(stack.services.auth, 'former');
  const expired = newSessionToken();
  const now = Date.now();
  await stack.services.auth.createSession({ tokenHash: sessionTokenHash(expired)!, username: 'admin', loginTime: now - 7_200_000, validUntil: now - 3_600_000 });
  const forged = `${SESSION_COOKIE}=${newSessionToken()}`;
  return { sessionCookie, staleCookies: [forged, `${SESSION_COOKIE}=${expired}`, loggedOut, ofRemovedUser, `${ofRemovedUser}; other=1`] };
}
