// The API from the browser: the key lives in sessionStorage only (gone when the tab closes).
const KEY = 'acctnet.apiKey';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  set: (key: string) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<T> {
  const key = init.key ?? session.key();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, 'The API cannot be reached; check your connection and retry.');
  }
  const text = await res.text();
  const data = text ? safeJson(text) : null;
  if (res.status === 401 && !init.key) {
    session.clear();
    location.hash = '#/login?expired=1';
    throw new ApiError(401, 'Your API key was rejected (revoked or unknown): sign in again.');
  }
  if (!res.ok) {
    const message =
      data && typeof data === 'object' && 'message' in data ? String((data as { message: unknown }).message) : `HTTP ${res.status}`;
    throw new ApiError(res.status, message);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Downloads a body the API streams (needs the key header, so no plain link). */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.key()}` } });
  if (!res.ok) throw new ApiError(res.status, `Download failed (HTTP ${res.status})`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Exports a case (an account's or a cluster's): JSON is saved as a file, HTML opens in a new tab to
 * print. Answers the id of the audit entry the API wrote for the export.
 */
export async function exportCase(kind: 'accounts' | 'clusters', id: string, format: 'json' | 'html'): Promise<string> {
  const res = await fetch(`/v1/cases/${kind}/${encodeURIComponent(id)}?format=${format}`, {
    headers: { authorization: `Bearer ${session.key()}` },
  });
  const text = await res.text();
  if (!res.ok) {
    const data = safeJson(text);
    throw new ApiError(
      res.status,
      data && typeof data === 'object' && 'message' in data
        ? String((data as { message: unknown }).message)
        : `Export failed (HTTP ${res.status})`,
    );
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `case.${format}`;
  const url = URL.createObjectURL(new Blob([text], { type: format === 'json' ? 'application/json' : 'text/html' }));
  if (format === 'json') {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
  } else {
    window.open(url, '_blank');
  }
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  // From the header, not the page: an account id on the page could read like an audit id.
  return res.headers.get('x-audit-id') ?? (format === 'json' ? String((JSON.parse(text) as { auditId: string }).auditId) : 'recorded');
}
