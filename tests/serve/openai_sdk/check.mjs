// `paddock serve` against the official OpenAI Node SDK: a manual compatibility check, not
// part of ctest (the SDK comes from npm). Usage, with a server running:
//   npm install openai && node check.mjs http://127.0.0.1:8000/v1 MODEL_NAME
// Prints one line per check and exits 1 if any failed.
import OpenAI from 'openai';

const [baseURL = 'http://127.0.0.1:8000/v1', model = 'model'] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: process.env.PADDOCK_API_KEY ?? 'unused', maxRetries: 0 });
const user = (content) => [{ role: 'user', content }];
let failed = 0;

async function check(name, body) {
  try {
    const seen = await body();
    console.log(`ok   ${name}${seen === undefined ? '' : ': ' + JSON.stringify(seen).slice(0, 200)}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${error.status ?? ''} ${error.message}`);
  }
}

function expect(condition, what) {
  if (!condition) throw new Error(what);
}

async function expectError(kind, request) {
  try {
    await request();
  } catch (error) {
    expect(error instanceof kind, `expected ${kind.name}, got ${error.constructor.name}`);
    return { status: error.status, type: error.type, code: error.code, param: error.param };
  }
  throw new Error('no error');
}

await check('models.list', async () => {
  const ids = [];
  for await (const entry of client.models.list()) ids.push(entry.id);
  expect(ids.length === 1 && ids[0] === model, `ids ${ids}`);
  return ids;
});
await check('models.retrieve', async () => (await client.models.retrieve(model)).id);
await check('chat', async () => {
  const reply = await client.chat.completions.create({ model, messages: user('Name a colour.'), max_tokens: 16, temperature: 0 });
  expect(typeof reply.choices[0].message.content === 'string', 'content');
  expect(reply.usage.total_tokens === reply.usage.prompt_tokens + reply.usage.completion_tokens, 'usage');
  return reply.choices[0].message.content;
});
await check('chat: n, seed, logprobs, text parts', async () => {
  const reply = await client.chat.completions.create({
    model, max_tokens: 4, n: 2, seed: 7, logprobs: true, top_logprobs: 2,
    messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Name a colour.' }] }],
  });
  expect(reply.choices.length === 2, 'two choices');
  const tokens = reply.choices[0].logprobs.content;
  expect(tokens[0].top_logprobs.length === 2 && Array.isArray(tokens[0].bytes), 'token log-probabilities');
  // The tokens' bytes add up to the reply, spaces included.
  const joined = Buffer.concat(tokens.map((token) => Buffer.from(token.bytes))).toString();
  expect(joined === reply.choices[0].message.content, `tokens give ${JSON.stringify(joined)}`);
  return tokens.map((token) => token.token);
});
await check('chat stream with usage', async () => {
  const stream = await client.chat.completions.create({ model, messages: user('Name a colour.'), max_tokens: 8, stream: true, stream_options: { include_usage: true } });
  let text = '', usage = null, finish = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      finish = choice.finish_reason ?? finish;
    }
  }
  expect(usage && finish, 'usage and finish reason');
  return { text, finish, usage };
});
await check('chat stream helper', async () => {
  const stream = (client.chat.completions.stream ?? client.beta.chat.completions.stream).call(
    client.chat.completions.stream ? client.chat.completions : client.beta.chat.completions,
    { model, messages: user('Name a colour.'), max_tokens: 8 });
  return (await stream.finalChatCompletion()).choices[0].message.content;
});
await check('completions, two prompts, logprobs', async () => {
  const reply = await client.completions.create({ model, prompt: ['Hello', 'Once upon'], max_tokens: 5, logprobs: 2, temperature: 0 });
  expect(reply.choices.length === 2 && reply.choices[1].index === 1, 'choices');
  expect(reply.choices[0].logprobs.tokens.length === reply.choices[0].logprobs.token_logprobs.length, 'logprobs');
  return reply.choices.map((choice) => choice.text);
});
await check('completions stream', async () => {
  let text = '';
  for await (const chunk of await client.completions.create({ model, prompt: 'Hello', max_tokens: 5, stream: true }))
    text += chunk.choices[0]?.text ?? '';
  return text;
});
await check('request id header', async () => {
  const { data, response } = await client.chat.completions.create({ model, messages: user('Hi'), max_tokens: 2 }).withResponse();
  expect(response.headers.get('x-request-id') === data.id, 'x-request-id is the completion id');
  return data.id;
});
await check('unknown model is NotFoundError', () =>
  expectError(OpenAI.NotFoundError, () => client.chat.completions.create({ model: 'no-such-model', messages: user('Hi') })));
await check('bad temperature is BadRequestError', () =>
  expectError(OpenAI.BadRequestError, () => client.chat.completions.create({ model, messages: user('Hi'), temperature: 5 })));
await check('a stream aborted midway, then a request', async () => {
  const controller = new AbortController();
  const stream = await client.chat.completions.create({ model, messages: user('Tell a long story.'), max_tokens: 200, stream: true }, { signal: controller.signal });
  let chunks = 0;
  try {
    for await (const chunk of stream) if (++chunks === 3) controller.abort();
  } catch (error) {
    expect(error instanceof OpenAI.APIUserAbortError || error.name === 'AbortError', error.message);
  }
  const reply = await client.chat.completions.create({ model, messages: user('Hi'), max_tokens: 2 });
  return { chunks, next: reply.choices[0].finish_reason };
});
process.exit(failed > 0 ? 1 : 0);
