// Reads the mock upstream's OpenAI shape with the official `openai` npm
// package as the client, so that the mock is not only bridge's own reading
// of the Chat Completions API:
//   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 node openai_check.mjs
// The mock must be started with tests/integration/openai/sdk_check.sh's script
// (keys sk-check-ok, sk-check-429, sk-check-quota, sk-check-401, sk-check-mid).
// Prints one line per check and exits 1 on the first mismatch.
import OpenAI from 'openai';

const baseURL = process.env.OPENAI_BASE_URL;
const client = (apiKey) => new OpenAI({ apiKey, baseURL, maxRetries: 0 });
let failures = 0;
const check = (name, ok, detail) => {
  console.log(`${ok ? 'ok' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
  if (!ok) failures += 1;
};

// A blocking completion: the SDK's types see choices[0].message.content.
const completion = await client('sk-check-ok').chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'system', content: 'brief' }, { role: 'user', content: 'hi' }],
});
check('blocking: choices[0].message.content', completion.choices[0].message.content === 'Hello from the mock.',
  JSON.stringify(completion));
check('blocking: object and model', completion.object === 'chat.completion' && completion.model === 'gpt-4o-mini',
  JSON.stringify(completion));
check('blocking: usage', completion.usage.total_tokens === completion.usage.prompt_tokens + completion.usage.completion_tokens,
  JSON.stringify(completion.usage));

// A stream: the SDK's SSE reader stops at data: [DONE] and yields chunks.
const stream = await client('sk-check-ok').chat.completions.create({
  model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true,
});
let text = '';
let chunks = 0;
let finish = null;
for await (const chunk of stream) {
  chunks += 1;
  text += chunk.choices[0]?.delta?.content ?? '';
  finish = chunk.choices[0]?.finish_reason ?? finish;
}
check('stream: the deltas join to the text', text === 'Hello from the mock.', JSON.stringify(text));
check('stream: role chunk, three deltas, finish chunk', chunks === 5, `${chunks} chunks`);
check('stream: finish_reason stop', finish === 'stop', String(finish));

// Errors: the SDK's error classes read status, type, code and request id.
const expectError = async (name, key, want) => {
  try {
    await client(key).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    check(name, false, 'no error');
  } catch (error) {
    const ok = error instanceof OpenAI.APIError && error.status === want.status && error.type === want.type &&
      error.code === want.code && String(error.requestID ?? error.request_id ?? '').startsWith('req_mock_') &&
      (!want.header || error.headers?.get?.(want.header[0]) === want.header[1]);
    check(name, ok, `${error.constructor.name} status=${error.status} type=${error.type} code=${error.code} ` +
      `request_id=${error.requestID ?? error.request_id}`);
  }
};
await expectError('429 rate limit: RateLimitError, type, code, headers', 'sk-check-429',
  { status: 429, type: 'requests', code: 'rate_limit_exceeded', header: ['x-ratelimit-reset-requests', '6m0s'] });
await expectError('429 insufficient_quota', 'sk-check-quota',
  { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' });
await expectError('401 invalid_api_key', 'sk-check-401',
  { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' });

// A mid-stream error: the SDK throws when a data event carries "error".
try {
  const broken = await client('sk-check-mid').chat.completions.create({
    model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true,
  });
  let got = '';
  for await (const chunk of broken) got += chunk.choices[0]?.delta?.content ?? '';
  check('mid-stream error event', false, `no error after ${JSON.stringify(got)}`);
} catch (error) {
  check('mid-stream error event', error instanceof OpenAI.APIError && /crashed/.test(error.message),
    `${error.constructor.name}: ${error.message}`);
}

// The model list, the probe of `keys check`.
const models = [];
for await (const model of client('sk-check-ok').models.list()) models.push(model.id);
check('GET /models: a list of models', models.length === 1 && models[0] === 'gpt-4o-mini', JSON.stringify(models));

process.exit(failures ? 1 : 0);
