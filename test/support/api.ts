// A client of the API as curl scripts use it: JSON bodies sent with no Content-Type.
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(base: string, method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<ApiResponse<T>> {
  const response = await fetch(base + path, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? '' : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** Re-reads the task list until the task reaches a finished state (or the timeout). */
export async function waitForTask(base: string, kind: 'export' | 'import', id: number, timeoutMs = 30_000, options: { headers?: Record<string, string> } = {}): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call<Record<string, any>[]>(base, 'GET', `/api/v1/${kind}/`, undefined, options);
    const task = body.find((t) => t.id === id);
    if (task && (task.state === 'completed' || task.state === 'aborted')) return task;
    if (Date.now() > deadline) throw new Error(`${kind} task ${id} did not finish: ${JSON.stringify(task)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
