// The pinned dependencies (package.json "overrides", README "Node 20 and the EBADENGINE warnings")
// provide the calls their dependants make, on this Node.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import Fastify from 'fastify';

test('content-disposition as @fastify/static loads it: create() gives an RFC 6266 header', () => {
  const fromStatic = createRequire(createRequire(import.meta.url).resolve('@fastify/static'));
  const { create } = fromStatic('content-disposition') as { create: (name: string) => string };
  assert.equal(create('résumé q.pdf'), `attachment; filename="r?sum? q.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20q.pdf`);
});

test("fastify's inject (light-my-request) sends cookies with the pinned cookie package", async () => {
  const app = Fastify();
  app.get('/', async (request) => ({ cookie: request.headers.cookie ?? null }));
  try {
    const res = await app.inject({ method: 'GET', url: '/', cookies: { a: 'b c' } });
    assert.equal(res.json().cookie, 'a=b%20c');
  } finally {
    await app.close();
  }
});
