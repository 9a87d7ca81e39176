// The same `ask --provider openai` as bridge's, through the official `openai`
// npm package:
//   OPENAI_API_KEY=... OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 node openai_ask.mjs PROMPT...
// One blocking request, no retries; prints choices[0].message.content.
// bench/run copies this file next to the node_modules it installs the package in.
import OpenAI from 'openai';

const client = new OpenAI({ maxRetries: 0 }); // key and base URL from the environment
const completion = await client.chat.completions.create({
  model: process.env.BRIDGE_MODEL ?? 'gpt-4o-mini',
  messages: [{ role: 'user', content: process.argv.slice(2).join(' ') }],
});
let text = completion.choices[0]?.message?.content ?? '';
if (!text.endsWith('\n')) {
  text += '\n';
}
process.stdout.write(text);
