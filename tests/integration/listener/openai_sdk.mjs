// The official `openai` npm client against `bridge serve`'s /openai/v1, run
// by openai_sdk.sh: configured as its users do it (OPENAI_BASE_URL and
// OPENAI_API_KEY, here the listener's and its token).
//   OPENAI_BASE_URL=.../openai/v1 OPENAI_API_KEY=TOKEN node openai_sdk.mjs MODE
// MODE served:    a blocking completion and a stream, both with the text
//                 EXPECT (environment), through the SDK's own types
// MODE exhausted: maxRetries 0; the SDK's error is a RateLimitError with
//                 retry-after and retry-after-ms and a rate_limit_error body
// MODE retry:     the SDK's own retries (maxRetries 3) honour the listener's
//                 retry-after-ms and the request is served
// Prints one line per check, and `retry-after-ms N` in exhausted mode; exits
// 1 when a check fails.
import OpenAI from 'openai';

const mode = process.argv[2];
const expect = process.env.EXPECT ?? '';
const params = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
let failures = 0;
const check = (name, ok, detail) => {
  console.log(`${ok ? 'ok' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
  if (!ok) failures += 1;
};

if (mode === 'served') {
  const client = new OpenAI({ maxRetries: 0 });
  const completion = await client.chat.completions.create(params);
  check('blocking: choices[0].message.content', completion.choices[0]?.message?.content === expect,
    JSON.stringify(completion));
  check('blocking: a chat.completion', completion.object === 'chat.completion', JSON.stringify(completion));

  const stream = await client.chat.completions.create({ ...params, stream: true });
  let text = '';
  let deltas = 0;
  let finish = null;
  for await (const chunk of stream) {
    const piece = chunk.choices[0]?.delta?.content;
    if (piece) {
      deltas += 1;
      text += piece;
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  check('stream: the deltas join to the text', text === expect && deltas > 1, `${deltas} deltas: ${JSON.stringify(text)}`);
  check('stream: finish_reason stop', finish === 'stop', String(finish));
} else if (mode === 'exhausted') {
  const client = new OpenAI({ maxRetries: 0 });
  try {
    await client.chat.completions.create(params);
    check('exhausted: an error', false, 'the request succeeded');
  } catch (error) {
    const ms = Number(error.headers?.get('retry-after-ms'));
    const s = Number(error.headers?.get('retry-after'));
    check('exhausted: RateLimitError, status 429', error instanceof OpenAI.RateLimitError && error.status === 429,
      `${error.constructor.name} status=${error.status}`);
    check('exhausted: retry-after in whole seconds, rounded up from retry-after-ms',
      Number.isInteger(s) && ms > 0 && s === Math.ceil(ms / 1000), `retry-after=${s} retry-after-ms=${ms}`);
    check('exhausted: rate_limit_error', error.type === 'rate_limit_error' && /bridge/.test(error.message),
      `type=${error.type} message=${error.message}`);
    console.log(`retry-after-ms ${ms}`);
  }
} else if (mode === 'retry') {
  const client = new OpenAI({ maxRetries: 3 });
  const completion = await client.chat.completions.create(params);
  check('retry: served after the SDK waited', completion.choices[0]?.message?.content === expect,
    JSON.stringify(completion));
} else {
  console.log(`unknown mode ${mode}`);
  failures += 1;
}
process.exit(failures === 0 ? 0 : 1);
