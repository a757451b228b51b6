/**
 * Through the real HTTP server: a signed webhook is answered, the review runs after
 * the response with the real engine, and a badly signed one is refused untouched.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { createNodeMiddleware } from 'probot';
import type { ThreadlintApp } from '../../src/app/index.js';
import { PR, REPO_PATH, Recorder, mockFullRun, pullRequestPayload, testApp, testProbot } from './helpers/fake-github.js';

const SECRET = 'webhook-secret';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

let server: Server;
let url: string;
let app: ThreadlintApp;
let recorder: Recorder;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  recorder = new Recorder();
  app = testApp();
  const probot = testProbot({ appId: 123, privateKey, secret: SECRET });
  const middleware = await createNodeMiddleware(app, { probot });
  server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(recorder.problems).toEqual([]);
  expect(pending).toEqual([]);
});

function post(body: string, signature: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'pull_request',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': signature,
    },
    body,
  });
}

const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

const SOURCE = 'import threading\n\n\ndef work():\n    pass\n\n\nt = threading.Thread(target=work)\nt.run()\n';

test('a signed pull_request webhook is answered, then reviewed with the real engine', async () => {
  const scope = recorder.scope();
  scope.post('/app/installations/1/access_tokens').reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {} });
  mockFullRun(scope, [{ filename: 'src/jobs.py', content: SOURCE }], { review: true });
  const body = JSON.stringify(pullRequestPayload('opened'));

  const response = await post(body, sign(body));
  expect(response.status).toBe(200);
  await app.idle();

  const [review] = recorder.bodiesOf('POST', `${REPO_PATH}/pulls/${PR}/reviews`);
  expect(review.comments.map((c: { path: string; line: number }) => [c.path, c.line])).toEqual([['src/jobs.py', 9]]);
  expect(review.comments[0].body).toContain('```suggestion\nt.start()\n```');
  const [, update] = recorder.bodiesOf('PATCH', `${REPO_PATH}/check-runs/4242`);
  expect([update.conclusion, update.output.title]).toEqual(['failure', '1 error in 1 file']);
});

test('a webhook with a wrong signature is refused and GitHub is never called', async () => {
  recorder.scope();
  const body = JSON.stringify(pullRequestPayload('opened'));
  const response = await post(body, sign(`${body} `));
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  await app.idle();
  expect(recorder.requests).toEqual([]);
});
