// The official `@anthropic-ai/sdk` as a client of `bridge serve`, run by
// anthropic_sdk.sh: the SDK is configured as its users do it (base URL and
// API key, here the listener's and its token) and knows nothing of the pool.
//   ANTHROPIC_BASE_URL=... ANTHROPIC_API_KEY=TOKEN node anthropic_sdk.mjs MODE
// MODE served:    a blocking message and a stream, both with the text EXPECT
//                 (environment), read through the SDK's own types and helpers
// MODE exhausted: maxRetries 0; the SDK's error is a RateLimitError with
//                 retry-after and retry-after-ms and a rate_limit_error body
// MODE retry:     the SDK's own retries (maxRetries 3) honour the listener's
//                 retry-after-ms and the request is served
// Prints one line per check, and `retry-after-ms N` in exhausted mode; exits
// 1 when a check fails.
import Anthropic from '@anthropic-ai/sdk';

const mode = process.argv[2];
const expect = process.env.EXPECT ?? '';
const params = {
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'hi' }],
};
let failures = 0;
const check = (name, ok, detail) => {
  console.log(`${ok ? 'ok' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
  if (!ok) failures += 1;
};
const textOf = (message) => message.content.filter((b) => b.type === 'text').map((b) => b.text).join('');

if (mode === 'served') {
  const client = new Anthropic({ maxRetries: 0 });
  const message = await client.messages.create(params);
  check('blocking: the text', textOf(message) === expect, JSON.stringify(message));
  check('blocking: a message', message.type === 'message' && message.stop_reason === 'end_turn',
    JSON.stringify(message));

  // The SDK's stream helper: events as they come, then the message it built.
  const stream = client.messages.stream(params);
  let deltas = 0;
  let streamed = '';
  stream.on('text', (text) => {
    deltas += 1;
    streamed += text;
  });
  const final = await stream.finalMessage();
  check('stream: the text deltas', streamed === expect && deltas > 1, `${deltas} deltas: ${JSON.stringify(streamed)}`);
  check('stream: the final message', textOf(final) === expect && final.stop_reason === 'end_turn',
    JSON.stringify(final));
} else if (mode === 'exhausted') {
  const client = new Anthropic({ maxRetries: 0 });
  try {
    await client.messages.create(params);
    check('exhausted: an error', false, 'the request succeeded');
  } catch (error) {
    const ms = Number(error.headers?.get('retry-after-ms'));
    const s = Number(error.headers?.get('retry-after'));
    check('exhausted: RateLimitError, status 429', error instanceof Anthropic.RateLimitError && error.status === 429,
      `${error.constructor.name} status=${error.status}`);
    check('exhausted: retry-after in whole seconds, rounded up from retry-after-ms',
      Number.isInteger(s) && ms > 0 && s === Math.ceil(ms / 1000),
      `retry-after=${s} retry-after-ms=${ms}`);
    check('exhausted: rate_limit_error body', error.error?.type === 'error' &&
      error.error?.error?.type === 'rate_limit_error', JSON.stringify(error.error));
    console.log(`retry-after-ms ${ms}`);
  }
} else if (mode === 'retry') {
  const client = new Anthropic({ maxRetries: 3 });
  const message = await client.messages.create(params);
  check('retry: served after the SDK waited', textOf(message) === expect, JSON.stringify(message));
} else {
  console.log(`unknown mode ${mode}`);
  failures += 1;
}
process.exit(failures === 0 ? 0 : 1);
