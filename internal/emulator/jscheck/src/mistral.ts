// The Mistral protocol driven by the official SDK, npm @mistralai/mistralai
// 2.7.0, the way docs.mistral.ai/capabilities/batch shows: files.upload
// with purpose batch, batch.jobs.create (from the uploaded file, and with
// inline requests), get, list, cancel, files.download. The SDK checks every
// answer with its zod schemas and throws on one that does not fit; the
// result bodies, which it reads as files, are checked with the schemas'
// own *FromJSON functions.
import { Mistral } from '@mistralai/mistralai';
import * as components from '@mistralai/mistralai/models/components';
import { check, log, untilDone, wire } from './check.js';

const imp = `import type * as components from '@mistralai/mistralai/models/components';`;
const ended = ['SUCCESS', 'FAILED', 'TIMEOUT_EXCEEDED', 'CANCELLED'];

function input(lines: { id: string; prompt: string }[]): Uint8Array {
  const text = lines
    .map((l) => JSON.stringify({ custom_id: l.id, body: { model: 'mistral-small-latest', messages: [{ role: 'user', content: l.prompt }] } }) + '\n')
    .join('');
  return new TextEncoder().encode(text);
}

/** parsed returns what an SDK *FromJSON function made of a body, or fails. */
function parsed<T>(what: string, r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(`${what}: ${String(r.error)}`);
  return r.value;
}

/** download reads a file's lines as JSON objects. */
async function download(client: Mistral, fileId: string): Promise<any[]> {
  const stream = await client.files.download({ fileId });
  const text = await new Response(stream).text();
  return text.trim().split('\n').map((l) => JSON.parse(l));
}

/** untilEnded polls a job until its status is terminal. */
function untilEnded(client: Mistral, jobId: string): Promise<components.BatchJob> {
  return untilDone(() => client.batch.jobs.get({ jobId }), (j) => ended.includes(j.status));
}

export async function runMistral(base: string, slowBase: string): Promise<void> {
  const p = 'mistral';
  // The emulator serves Mistral's API under /mistral.
  const client = new Mistral({ apiKey: 'jscheck', serverURL: `${base}/mistral` });

  const file = await client.files.upload({
    file: { fileName: 'in.jsonl', content: input([{ id: 'c1', prompt: 'Hello there' }, { id: 'c2', prompt: '[fail:429] no' }]) },
    purpose: 'batch',
  });
  wire(imp, 'components.CreateFileResponse', file);
  log(p, `uploaded ${file.purpose} ${file.sizeBytes} bytes ${file.numLines} lines`);

  const created = await client.batch.jobs.create({
    inputFiles: [file.id],
    endpoint: '/v1/chat/completions',
    model: 'mistral-small-latest',
    metadata: { batchctl_job: 'jscheck' },
    timeoutHours: 24,
  });
  wire(imp, 'components.BatchJob', created);
  log(p, `created ${created.status} model=${created.model} metadata=${JSON.stringify(created.metadata)}`);

  const done = await untilEnded(client, created.id);
  wire(imp, 'components.BatchJob', done);
  log(p, `retrieved ${done.status} total=${done.totalRequests} succeeded=${done.succeededRequests} failed=${done.failedRequests}`);

  const page = await client.batch.jobs.list({ page: 0, pageSize: 1 });
  wire(imp, 'components.ListBatchJobsResponse', page);
  log(p, `listed ${page.data?.filter((j) => j.id === created.id).length} of ${page.total}`);

  check(!!done.outputFile && !!done.errorFile, 'output and error files');
  for (const r of await download(client, done.outputFile!)) {
    const body = parsed('chat completion', components.chatCompletionResponseFromJSON(JSON.stringify(r.response.body)));
    wire(imp, 'components.ChatCompletionResponse', body);
    log(p, `result ${r.custom_id} ${r.response.status_code} ${JSON.stringify(body.choices[0]?.message?.content)} ${body.choices[0]?.finishReason}`);
  }
  for (const r of await download(client, done.errorFile!)) {
    log(p, `error ${r.custom_id} ${r.response.status_code} ${r.response.body.type}`);
  }

  const mod = await client.batch.jobs.create({
    requests: [{ customId: 'd1', body: { input: ['fine', 'not fine [flag:hate_and_discrimination]'] } }],
    endpoint: '/v1/moderations',
    model: 'mistral-moderation-latest',
  });
  const modDone = await untilEnded(client, mod.id);
  for (const r of await download(client, modDone.outputFile!)) {
    const body = parsed('moderation', components.moderationResponseFromJSON(JSON.stringify(r.response.body)));
    wire(imp, 'components.ModerationResponse', body);
    const flagged = body.results.map((o) => Object.keys(o.categories ?? {}).filter((k) => o.categories?.[k]).join('+') || '-');
    log(p, `moderation ${r.custom_id} ${flagged.join(',')}`);
  }

  const emb = await client.batch.jobs.create({
    requests: [{ customId: 'e1', body: { input: 'embed me', output_dimension: 4 } }],
    endpoint: '/v1/embeddings',
    model: 'mistral-embed',
  });
  const embDone = await untilEnded(client, emb.id);
  for (const r of await download(client, embDone.outputFile!)) {
    const body = parsed('embeddings', components.embeddingResponseFromJSON(JSON.stringify(r.response.body)));
    wire(imp, 'components.EmbeddingResponse', body);
    log(p, `embedding ${r.custom_id} ${body.data[0]?.embedding?.length} floats`);
  }

  const slow = new Mistral({ apiKey: 'jscheck', serverURL: `${slowBase}/mistral` });
  const slowFile = await slow.files.upload({ file: { fileName: 'in.jsonl', content: input([{ id: 'c1', prompt: 'Hi' }]) }, purpose: 'batch' });
  const running = await slow.batch.jobs.create({ inputFiles: [slowFile.id], endpoint: '/v1/chat/completions', model: 'mistral-small-latest' });
  const cancelled = await slow.batch.jobs.cancel({ jobId: running.id });
  wire(imp, 'components.BatchJob', cancelled);
  log(p, `cancelled ${cancelled.status}`);
}
