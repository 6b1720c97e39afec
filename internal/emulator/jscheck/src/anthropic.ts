// The Anthropic protocol driven by the official SDK, npm @anthropic-ai/sdk
// 1.17.0, the way its README shows: messages.batches.create, retrieve,
// list (async iteration), cancel, results (async iteration).
import Anthropic from '@anthropic-ai/sdk';
import { check, log, untilDone, wire } from './check.js';

const imp = `import type Anthropic from '@anthropic-ai/sdk';`;

function request(id: string, prompt: string): Anthropic.Messages.Batches.BatchCreateParams.Request {
  return { custom_id: id, params: { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: prompt }] } };
}

export async function runAnthropic(base: string, slowBase: string): Promise<void> {
  const p = 'anthropic';
  // The SDK sends the key only as Authorization: Bearer.
  const client = new Anthropic({ apiKey: 'sk-ant-jscheck', baseURL: base, maxRetries: 0 });

  const created = await client.messages.batches.create({ requests: [request('m1', 'Hello there'), request('m2', '[error] boom')] });
  wire(imp, 'Anthropic.Messages.Batches.MessageBatch', created);
  log(p, `created ${created.type}`);

  const done = await untilDone(() => client.messages.batches.retrieve(created.id), (b) => b.processing_status === 'ended');
  wire(imp, 'Anthropic.Messages.Batches.MessageBatch', done);
  log(p, `retrieved ${done.processing_status} counts=${JSON.stringify(done.request_counts)}`);

  let listed = 0;
  for await (const b of client.messages.batches.list({ limit: 1 })) {
    if (b.id === created.id) listed++;
  }
  log(p, `listed ${listed}`);

  for await (const r of await client.messages.batches.results(created.id)) {
    wire(imp, 'Anthropic.Messages.Batches.MessageBatchIndividualResponse', r);
    if (r.result.type === 'succeeded') {
      const m = r.result.message;
      const text = m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      log(p, `result ${r.custom_id} succeeded ${JSON.stringify(text)} diagnostics=${m.diagnostics} speed=${m.usage.speed}`);
    } else if (r.result.type === 'errored') {
      log(p, `result ${r.custom_id} errored ${r.result.error.error.type}`);
    } else {
      log(p, `result ${r.custom_id} ${r.result.type}`);
    }
  }

  const slow = new Anthropic({ apiKey: 'sk-ant-jscheck', baseURL: slowBase, maxRetries: 0 });
  const b2 = await slow.messages.batches.create({ requests: [request('m1', 'Hi')] });
  const c2 = await slow.messages.batches.cancel(b2.id);
  wire(imp, 'Anthropic.Messages.Batches.MessageBatch', c2);
  check(c2.cancel_initiated_at !== null, 'cancel_initiated_at set');
  log(p, `cancelled ${c2.processing_status}`);
}
