// Shared helpers of the held-out client check (see ../jscheck_test.go).
import { writeFileSync } from 'node:fs';

/** env returns an environment variable the Go test sets, or fails. */
export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

/** log prints one line of the transcript the Go test compares. */
export function log(protocol: string, line: string): void {
  console.log(`${protocol}: ${line}`);
}

/** check fails the run when cond is false. */
export function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`check failed: ${what}`);
}

/** untilDone polls get until done says the object is terminal. */
export async function untilDone<T>(get: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await get();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('not terminal after 600 polls');
}

// The wire bodies the SDKs returned, written out as literals of the SDKs'
// own types so that a second tsc pass checks that every field those types
// declare required is there, with a type they allow.
const bodies: string[] = [];
const imports = new Set<string>();

/** wire records a body received, to be checked as a literal of typeName. */
export function wire(importLine: string, typeName: string, body: unknown): void {
  imports.add(importLine);
  bodies.push(`export const body${bodies.length}: ${typeName} = ${JSON.stringify(body, null, 1)};`);
}

/** writeWire writes the recorded bodies to path. */
export function writeWire(path: string): void {
  writeFileSync(path, [...imports, ...bodies].join('\n') + '\n');
}
