// The official AWS SDK for JavaScript (@aws-sdk/client-bedrock-runtime)
// against the mock's Bedrock routes, run by aws_sdk.sh: the mock must accept
// the SDK's SigV4 signatures (with the secret it knows), refuse a wrong one
// as AWS does, and send answers and event-stream frames the SDK reads.
//   MOCK_URL=... ID=... SECRET=... node aws_sdk.mjs iam
//   MOCK_URL=... AWS_BEARER_TOKEN_BEDROCK=... node aws_sdk.mjs bearer
// The shell names the keys (environment): ID and SECRET (a key the mock knows
// and answers with EXPECT), WRONG_SECRET, THROTTLED_ID, DENIED_ID, BROKEN_ID
// (a stream that ends in an exception frame). Prints one line per check;
// exits 1 when one fails.
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const env = process.env;
const mode = process.argv[2];
const modelId = 'anthropic.claude-3-5-sonnet-20240620-v1:0'; // a ':' the path encodes
const body = JSON.stringify({
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'hi' }],
});
let failures = 0;
const check = (name, ok, detail) => {
  console.log(`${ok ? 'ok' : 'FAIL'} ${mode} ${name}${ok ? '' : `: ${detail}`}`);
  if (!ok) failures += 1;
};

const client = (credentials) => new BedrockRuntimeClient({
  region: 'us-east-1',
  endpoint: env.MOCK_URL,
  maxAttempts: 1, // the SDK's own retries would hide what the mock answered
  // The client speaks HTTP/2 by default, which a plain-http endpoint (h2c)
  // does not offer; the SDK's HTTP/1.1 handler, as for any other service.
  requestHandler: new NodeHttpHandler(),
  ...(credentials ? { credentials } : {}),
});
const iam = (id, secret) => client({ accessKeyId: id, secretAccessKey: secret });

// A blocking InvokeModel and a stream, both with the text EXPECT.
async function served(c) {
  const answer = await c.send(new InvokeModelCommand({
    modelId, body, contentType: 'application/json', accept: 'application/json',
  }));
  const message = JSON.parse(new TextDecoder().decode(answer.body));
  check('InvokeModel: content[0].text', message.content?.[0]?.text === env.EXPECT, JSON.stringify(message));
  check('InvokeModel: the model id arrived whole', message.model === modelId, String(message.model));

  const stream = await c.send(new InvokeModelWithResponseStreamCommand({
    modelId, body, contentType: 'application/json',
  }));
  let text = '';
  let deltas = 0;
  const types = [];
  for await (const event of stream.body) {
    const data = JSON.parse(new TextDecoder().decode(event.chunk.bytes));
    types.push(data.type);
    if (data.type === 'content_block_delta') {
      deltas += 1;
      text += data.delta.text;
    }
  }
  check('stream: the deltas join to the text', text === env.EXPECT && deltas > 1,
    `${deltas} deltas: ${JSON.stringify(text)}`);
  check('stream: message_start first, message_stop last',
    types[0] === 'message_start' && types.at(-1) === 'message_stop', types.join(','));
}

// The error the SDK makes of a call, by name and HTTP status.
async function refused(name, c, command, wantName, wantStatus) {
  try {
    const answer = await c.send(command);
    if (answer.body?.[Symbol.asyncIterator]) {
      for await (const event of answer.body) void event; // the error comes mid-stream
    }
    check(name, false, 'no error');
  } catch (error) {
    check(name, error.name === wantName && (wantStatus === 0 || error.$metadata?.httpStatusCode === wantStatus),
      `${error.name} status=${error.$metadata?.httpStatusCode}: ${error.message}`);
  }
}

const invoke = () => new InvokeModelCommand({ modelId, body, contentType: 'application/json' });
if (mode === 'iam') {
  await served(iam(env.ID, env.SECRET));
  await refused('a wrong secret: InvalidSignatureException 403', iam(env.ID, env.WRONG_SECRET), invoke(),
    'InvalidSignatureException', 403);
  await refused('an unknown key id: UnrecognizedClientException 403', iam('AKIAUNKNOWNBYMOCK001', env.SECRET),
    invoke(), 'UnrecognizedClientException', 403);
  await refused('throttled: ThrottlingException 429', iam(env.THROTTLED_ID, env.SECRET), invoke(),
    'ThrottlingException', 429);
  await refused('access denied: AccessDeniedException 403', iam(env.DENIED_ID, env.SECRET), invoke(),
    'AccessDeniedException', 403);
  await refused('an exception frame: ModelStreamErrorException', iam(env.BROKEN_ID, env.SECRET),
    new InvokeModelWithResponseStreamCommand({ modelId, body, contentType: 'application/json' }),
    'ModelStreamErrorException', 0);
} else if (mode === 'bearer') {
  // AWS_BEARER_TOKEN_BEDROCK is in the environment, and no IAM credentials.
  await served(client(null));
} else {
  console.log(`unknown mode ${mode}`);
  process.exit(2);
}
process.exit(failures ? 1 : 0);
