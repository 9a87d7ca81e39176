// The same `stream --provider openai` as bridge's, through the official
// `openai` npm package:
//   OPENAI_API_KEY=... OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 node openai_stream.mjs PROMPT...
// One streaming request, no retries; writes each delta's content as it arrives.
// bench/run copies this file next to the node_modules it installs the package in.
import OpenAI from 'openai';

const client = new OpenAI({ maxRetries: 0 });
const stream = await client.chat.completions.create({
  model: process.env.BRIDGE_MODEL ?? 'gpt-4o-mini',
  messages: [{ role: 'user', content: process.argv.slice(2).join(' ') }],
  stream: true,
});
let last = '\n';
for await (const chunk of stream) {
  const text = chunk.choices[0]?.delta?.content;
  if (text) {
    process.stdout.write(text); // synchronous on a pipe or file (Linux)
    last = text;
  }
}
if (!last.endsWith('\n')) {
  process.stdout.write('\n');
}
