// A cookie jar as `curl -c cookies.txt` / `-b cookies.txt` keeps one: what the server sets is
// sent back, what it expires (Max-Age=0) is dropped.
import type { ApiResponse } from './api.ts';

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Takes the response's Set-Cookie headers; returns the response. */
  take<T>(response: ApiResponse<T>): ApiResponse<T> {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
    return response;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** The request init that sends the jar's cookies. */
  init(extra: Record<string, string> = {}): RequestInit {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return { headers: { ...extra, ...(cookie ? { cookie } : {}) } };
  }
}
