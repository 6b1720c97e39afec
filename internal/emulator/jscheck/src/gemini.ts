// The Gemini protocol driven by the official SDK, npm @google/genai
// 2.32.0, the way its README shows batches: batches.create with inlined
// requests, get, list (async iteration), cancel, dest.inlinedResponses.
// The SDK converts answers into its own types (all members optional), so
// this side is checked by running it, not by the literal pass.
import { GoogleGenAI, JobState } from '@google/genai';
import { check, log, untilDone } from './check.js';

const terminal: string[] = [JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED, JobState.JOB_STATE_EXPIRED];

export async function runGemini(base: string, slowBase: string): Promise<void> {
  const p = 'gemini';
  const ai = new GoogleGenAI({ apiKey: 'gm-jscheck', httpOptions: { baseUrl: base } });
  const src = [
    { contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }] },
    { contents: [{ role: 'user', parts: [{ text: '[fail:500] no' }] }] },
  ];
  const created = await ai.batches.create({ model: 'gemini-2.5-flash', src, config: { displayName: 'jscheck' } });
  check(!!created.name, 'batch name');
  log(p, `created ${created.displayName}`);

  const done = await untilDone(() => ai.batches.get({ name: created.name! }), (b) => terminal.includes(String(b.state)));
  log(p, `retrieved ${done.state}`);

  let listed = 0;
  for await (const b of await ai.batches.list({ config: { pageSize: 1 } })) {
    if (b.name === created.name) listed++;
  }
  log(p, `listed ${listed}`);

  for (const r of done.dest?.inlinedResponses ?? []) {
    if (r.response) log(p, `result ${JSON.stringify(r.response.candidates?.[0]?.content?.parts?.[0]?.text)}`);
    else log(p, `result error ${r.error?.code}`);
  }

  const slow = new GoogleGenAI({ apiKey: 'gm-jscheck', httpOptions: { baseUrl: slowBase } });
  const b2 = await slow.batches.create({ model: 'gemini-2.5-flash', src: src.slice(0, 1) });
  await slow.batches.cancel({ name: b2.name! });
  const c2 = await slow.batches.get({ name: b2.name! });
  log(p, `cancelled ${c2.state}`);
}
