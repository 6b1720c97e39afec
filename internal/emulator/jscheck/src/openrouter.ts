// The OpenRouter protocol. The official SDK, npm @openrouter/sdk 1.3.19,
// has no batch methods, so the batch calls are made with fetch, the way the
// Batch API Quickstart's TypeScript example makes them
// (https://openrouter.ai/docs/batch-quickstart): POST /api/beta/batches with
// endpoint and model before requests, GET /api/beta/batches/{id} until the
// batch is terminal, GET /api/beta/batches. What the batches carry is read
// with the SDK's own parsers: every chat completion result body with
// chatResultFromJSON, every embeddings result body with
// createEmbeddingsResponseBodyFromJSON (zod schemas generated from
// OpenRouter's OpenAPI spec), so a field OpenRouter's types require and the
// emulator leaves out fails here.
import { chatResultFromJSON } from '@openrouter/sdk/models';
import { createEmbeddingsResponseBodyFromJSON } from '@openrouter/sdk/models/operations';
import { check, log, untilDone } from './check.js';

type Result = { id: string; custom_id: string; response: { status_code: number; body: unknown } | null; error: unknown };
type Batch = { id: string; object: string; status: string; model: string; request_counts: object; results: Result[] | null };

async function call(base: string, method: string, path: string, body?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/api/beta${path}`, {
    method,
    headers: { Authorization: 'Bearer sk-or-jscheck', 'Content-Type': 'application/json' },
    body,
  });
  return { status: res.status, json: await res.json() };
}

function item(id: string, body: object): object {
  return { custom_id: id, body };
}

async function runBatch(p: string, base: string, endpoint: string, model: string, requests: object[]): Promise<Batch> {
  // endpoint and model first: the API stream-parses the body.
  const created = await call(base, 'POST', '/batches', JSON.stringify({ endpoint, model, requests }));
  check(created.status === 202, `create answered ${created.status}: ${JSON.stringify(created.json)}`);
  log(p, `created ${created.json.object} ${created.json.status} model=${created.json.model}`);
  const done: Batch = await untilDone(
    async () => (await call(base, 'GET', `/batches/${created.json.id}`)).json,
    (b: Batch) => ['completed', 'failed', 'expired', 'cancelled'].includes(b.status),
  );
  log(p, `retrieved ${done.status} counts=${JSON.stringify(done.request_counts)}`);
  return done;
}

export async function runOpenRouter(base: string, slowBase: string): Promise<void> {
  const p = 'openrouter';
  const chat = await runBatch(p, base, '/v1/chat/completions', 'anthropic/claude-sonnet-4.5', [
    item('r1', { messages: [{ role: 'user', content: 'Hello there' }] }),
    item('r2', { messages: [{ role: 'user', content: '[fail:429] no' }] }),
  ]);
  for (const r of chat.results ?? []) {
    if (r.response?.status_code === 200) {
      const parsed = chatResultFromJSON(JSON.stringify(r.response.body));
      if (!parsed.ok) throw new Error(`chat result ${r.custom_id}: ${parsed.error}`);
      log(p, `result ${r.custom_id} ${JSON.stringify(parsed.value.choices[0].message.content)} model=${parsed.value.model}`);
    } else {
      log(p, `result ${r.custom_id} ${r.response?.status_code}`);
    }
  }

  const emb = await runBatch(p, base, '/v1/embeddings', 'openai/text-embedding-3-small', [item('e1', { input: ['one', 'two'] })]);
  for (const r of emb.results ?? []) {
    const parsed = createEmbeddingsResponseBodyFromJSON(JSON.stringify(r.response?.body));
    if (!parsed.ok) throw new Error(`embeddings result ${r.custom_id}: ${parsed.error}`);
    log(p, `result ${r.custom_id} ${parsed.value.data.length} embeddings`);
  }

  const listed = await call(base, 'GET', '/batches?limit=1');
  check(listed.json.data.length === 1 && listed.json.data[0].results === null, `list: ${JSON.stringify(listed.json)}`);
  log(p, `listed ${listed.json.object} has_more=${listed.json.has_more}`);

  const refused = await call(base, 'POST', '/batches', JSON.stringify({ requests: [item('x', {})], endpoint: '/v1/chat/completions', model: 'm' }));
  log(p, `requests first ${refused.status} ${refused.json.error.code}`);

  const slow = await call(slowBase, 'POST', '/batches', JSON.stringify({ endpoint: '/v1/chat/completions', model: 'm', requests: [item('s', { messages: [{ role: 'user', content: 'Hi' }] })] }));
  const cancelled = await call(slowBase, 'POST', `/batches/${slow.json.id}/cancel`);
  log(p, `cancelled ${cancelled.json.status}`);
}
