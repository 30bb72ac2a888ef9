// The login's body and what login, login_refresh and logout answer (COMPAT.md "Authentication"),
// as zod schemas: the OpenAPI document's request and responses, and the answers' types
// (./model.ts builds them). A module of its own so that the login functions, which build
// answers and read the body by hand (lib/http/body.ts), bundle no zod.
import * as z from 'zod/mini';

/** What `readCredentials` (lib/http/body.ts) takes, as a form or as JSON. */
export const credentialsSchema = z.object({
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1), z.describe('Never logged, never stored: only its argon2id hash is kept.')),
});

export const loginAnswerSchema = z
  .strictObject({
    anonymous: z.literal(false),
    isAdmin: z.boolean(),
    logintime: z.string().check(z.describe('When the session logged in, `YYYY-MM-DD HH:MM:SS` in UTC.')),
    username: z.string(),
  })
  .check(z.describe('The live session. Its token travels only in the HttpOnly cookie `stevedore_sid`.'));
export type LoginAnswer = z.infer<typeof loginAnswerSchema>;

export const logoutAnswerSchema = z.strictObject({ username: z.string().check(z.describe('Who the session belonged to.')) });
export type LogoutAnswer = z.infer<typeof logoutAnswerSchema>;
