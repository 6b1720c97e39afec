// Held-out check of batchctl's token counts (internal/tokens): reads OpenAI
// batch lines on standard input and prints, for each, its input tokens as
// one number a line, counted with js-tiktoken (a JavaScript port of
// OpenAI's tiktoken, independent of the Go tokenizer batchctl uses) and
// the rules written out again here from their sources:
//   messages: OpenAI cookbook "How to count tokens with tiktoken"
//     (3 per message, 1 per name, 3 for the reply)
//   tools: the same cookbook, num_tokens_for_tools
//   images: https://platform.openai.com/docs/guides/images-vision
//     ("Calculating costs": tiles of 512px after fitting 2048 and 768)
import { getEncoding } from "js-tiktoken";
import { createInterface } from "node:readline";

const o200k = getEncoding("o200k_base");
const cl100k = getEncoding("cl100k_base");

// tok counts s as plain text: "<|endoftext|>" in a request is text to the API.
const tok = (enc, s) => enc.encode(s, [], []).length;

function encodingFor(model) {
  if (/^(gpt-5|gpt-4\.1|gpt-4o|chatgpt-4o|o1|o3|o4)/.test(model)) return o200k;
  return cl100k;
}

function pngSize(url) {
  const m = /^data:image\/png;base64,(.*)$/.exec(url);
  if (!m) return null;
  const b = Buffer.from(m[1].slice(0, 64), "base64");
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

function imageTokens(model, url, detail) {
  let [base, tile] = model.startsWith("gpt-4o-mini") ? [2833, 5667] : [85, 170];
  if (detail === "low") return base;
  let [w, h] = pngSize(url) ?? [1024, 1024];
  if (Math.max(w, h) > 2048) { const s = 2048 / Math.max(w, h); w *= s; h *= s; }
  if (Math.min(w, h) > 768) { const s = 768 / Math.min(w, h); w *= s; h *= s; }
  return base + tile * Math.ceil(w / 512) * Math.ceil(h / 512);
}

function toolTokens(enc, model, tools) {
  if (!tools || tools.length === 0) return 0;
  const funcInit = /^(gpt-4$|gpt-4-|gpt-3\.5)/.test(model) ? 10 : 7;
  let n = 0;
  for (const { function: f } of tools) {
    n += funcInit + tok(enc, `${f.name}:${(f.description ?? "").replace(/\.$/, "")}`);
    const props = f.parameters?.properties ?? {};
    if (Object.keys(props).length > 0) {
      n += 3;
      for (const [key, p] of Object.entries(props)) {
        n += 3;
        if (p.enum) {
          n -= 3;
          for (const item of p.enum) n += 3 + tok(enc, String(item));
        }
        n += tok(enc, `${key}:${p.type}:${(p.description ?? "").replace(/\.$/, "")}`);
      }
    }
  }
  return n + 12;
}

function count(line) {
  const { body } = JSON.parse(line);
  const enc = encodingFor(body.model);
  let n = 0;
  for (const m of body.messages) {
    n += 3 + tok(enc, m.role);
    if (m.name) n += 1 + tok(enc, m.name);
    if (typeof m.content === "string") {
      n += tok(enc, m.content);
    } else {
      for (const p of m.content) {
        if (p.type === "text") n += tok(enc, p.text);
        else n += imageTokens(body.model, p.image_url.url, p.image_url.detail);
      }
    }
  }
  n += 3;
  return n + toolTokens(enc, body.model, body.tools);
}

const out = [];
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() !== "") out.push(count(line));
}
process.stdout.write(out.join("\n") + "\n");
