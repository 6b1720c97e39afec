// The OpenAI protocol driven by the official SDK, npm openai 6.49.0, the
// way its README shows: files.create with toFile, batches.create,
// retrieve, list (async iteration), cancel, files.content.
import OpenAI, { toFile } from 'openai';
import { check, log, untilDone, wire } from './check.js';

const imp = `import type OpenAI from 'openai';`;

// batchBody is a file or batch body with its null members left out:
// openai 6.49.0 types their optional members as `?: T` (resources/
// batches.d.ts, files.d.ts) where the API, after specs/openai-openapi.yaml,
// sends null, so the literal pass would fail on the SDK's typing rather
// than on the wire. Nested objects and other bodies are kept whole.
function batchBody(v: object): object {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null));
}

function input(lines: { id: string; endpoint: string; body: object }[]): string {
  return lines.map((l) => JSON.stringify({ custom_id: l.id, method: 'POST', url: l.endpoint, body: l.body }) + '\n').join('');
}

export async function runOpenAI(base: string, slowBase: string): Promise<void> {
  const p = 'openai';
  const client = new OpenAI({ apiKey: 'sk-jscheck', baseURL: `${base}/v1`, maxRetries: 0 });

  const jsonl = input([
    { id: 'c1', endpoint: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] } },
    { id: 'c2', endpoint: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: '[fail:429] no' }] } },
  ]);
  const file = await client.files.create({ file: await toFile(Buffer.from(jsonl), 'in.jsonl'), purpose: 'batch' });
  wire(imp, 'OpenAI.Files.FileObject', batchBody(file));
  log(p, `uploaded ${file.purpose} ${file.bytes} bytes`);

  const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  wire(imp, 'OpenAI.Batches.Batch', batchBody(created));
  check(created.model === 'gpt-4o-mini', `model from creation on, got ${created.model}`);
  log(p, `created model=${created.model}`);

  const done = await untilDone(() => client.batches.retrieve(created.id), (b) => ['completed', 'failed', 'expired', 'cancelled'].includes(b.status));
  wire(imp, 'OpenAI.Batches.Batch', batchBody(done));
  log(p, `retrieved ${done.status} model=${done.model} counts=${JSON.stringify(done.request_counts)}`);
  // The batch-level usage (openai 6.x resources/batches.d.ts BatchUsage):
  // the detail counts batchctl reads as the job's cached and reasoning tokens.
  const u = done.usage;
  log(p, `usage input=${u?.input_tokens} cached=${u?.input_tokens_details.cached_tokens} output=${u?.output_tokens} reasoning=${u?.output_tokens_details.reasoning_tokens} total=${u?.total_tokens}`);

  let listed = 0;
  for await (const b of client.batches.list({ limit: 1 })) {
    if (b.id === created.id) listed++;
  }
  log(p, `listed ${listed}`);

  check(!!done.output_file_id && !!done.error_file_id, 'output and error files');
  const out = await (await client.files.content(done.output_file_id!)).text();
  for (const line of out.trim().split('\n')) {
    const r = JSON.parse(line);
    wire(imp, 'OpenAI.Chat.Completions.ChatCompletion', r.response.body);
    log(p, `result ${r.custom_id} ${r.response.status_code} ${JSON.stringify(r.response.body.choices[0].message.content)}`);
  }
  const errs = await (await client.files.content(done.error_file_id!)).text();
  for (const line of errs.trim().split('\n')) {
    const r = JSON.parse(line);
    log(p, `error ${r.custom_id} ${r.response.status_code} ${r.response.body.error.type}`);
  }

  // A moderations batch: its answers are checked as the SDK's type.
  const mf = await client.files.create({
    file: await toFile(Buffer.from(input([{ id: 'd1', endpoint: '/v1/moderations', body: { model: 'omni-moderation-latest', input: ['calm', '[flag:hate] x'] } }])), 'mod.jsonl'),
    purpose: 'batch',
  });
  const mb = await client.batches.create({ input_file_id: mf.id, endpoint: '/v1/moderations', completion_window: '24h' });
  const md = await untilDone(() => client.batches.retrieve(mb.id), (b) => ['completed', 'failed', 'expired', 'cancelled'].includes(b.status));
  const mout = await (await client.files.content(md.output_file_id!)).text();
  const mr = JSON.parse(mout.trim());
  const mbody: OpenAI.Moderations.ModerationCreateResponse = mr.response.body;
  wire(imp, 'OpenAI.Moderations.ModerationCreateResponse', mbody);
  log(p, `moderation ${mr.custom_id} flagged=${mbody.results.map((r) => r.flagged).join(',')} hate=${mbody.results[1].categories.hate}`);

  // Cancel needs a batch still running: the slow server's last an hour.
  const slow = new OpenAI({ apiKey: 'sk-jscheck', baseURL: `${slowBase}/v1`, maxRetries: 0 });
  const f2 = await slow.files.create({ file: await toFile(Buffer.from(jsonl), 'in.jsonl'), purpose: 'batch' });
  const b2 = await slow.batches.create({ input_file_id: f2.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  wire(imp, 'OpenAI.Batches.Batch', batchBody(b2));
  log(p, `created ${b2.status} model=${b2.model}`);
  const c2 = await slow.batches.cancel(b2.id);
  wire(imp, 'OpenAI.Batches.Batch', batchBody(c2));
  log(p, `cancelled ${c2.status} model=${c2.model}`);
}
