// The held-out client check: the official JavaScript SDKs drive batchctl's
// emulator through each protocol's batch lifecycle. JSCHECK_BASE is an
// emulator whose batches end at once, JSCHECK_SLOW_BASE one whose batches
// run for an hour (for cancel); the bodies received are written to
// JSCHECK_WIRE for the type pass. Run by ../jscheck_test.go.
import { env, writeWire } from './check.js';
import { runAnthropic } from './anthropic.js';
import { runGemini } from './gemini.js';
import { runMistral } from './mistral.js';
import { runOpenAI } from './openai.js';
import { runOpenRouter } from './openrouter.js';

const base = env('JSCHECK_BASE');
const slowBase = env('JSCHECK_SLOW_BASE');
await runOpenAI(base, slowBase);
await runAnthropic(base, slowBase);
await runGemini(base, slowBase);
await runMistral(base, slowBase);
await runOpenRouter(base, slowBase);
writeWire(env('JSCHECK_WIRE'));
