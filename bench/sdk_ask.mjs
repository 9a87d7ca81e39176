// The same `ask` as bridge's, through the official Anthropic TypeScript SDK:
//   ANTHROPIC_API_KEY=... ANTHROPIC_BASE_URL=http://127.0.0.1:PORT node sdk_ask.mjs PROMPT...
// One blocking request, no retries; prints the text of the answer.
// bench/run copies this file next to the node_modules it installs the SDK in.
import Anthropic from '@anthropic-ai/sdk';

// SDK 1.x sends an API key as "Authorization: Bearer"; the Messages API (and the
// mock, which routes on it) takes it in x-api-key, as bridge and curl send it.
const apiKey = process.env.ANTHROPIC_API_KEY;
const client = new Anthropic({
  apiKey,
  baseURL: process.env.ANTHROPIC_BASE_URL,
  maxRetries: 0,
  defaultHeaders: { 'x-api-key': apiKey, authorization: null },
});

const message = await client.messages.create({
  model: process.env.BRIDGE_MODEL ?? 'claude-sonnet-4-5',
  max_tokens: 4096,
  messages: [{ role: 'user', content: process.argv.slice(2).join(' ') }],
});
let text = message.content
  .filter((block) => block.type === 'text')
  .map((block) => block.text)
  .join('');
if (!text.endsWith('\n')) {
  text += '\n';
}
process.stdout.write(text);
