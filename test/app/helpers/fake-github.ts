/**
 * A scripted GitHub for the app's tests: nock interceptors for each request the app
 * should make, a recorder of every request (method, path, parsed body) and a check of
 * each body against GitHub's REST and GraphQL descriptions.
 */
import nock from 'nock';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Probot, type Logger } from 'probot';
import { appOctokit } from '../../../src/app/github-client.js';
import { createThreadlintApp, type AppOptions, type ThreadlintApp } from '../../../src/app/index.js';
import { validateGraphqlRequest, validateRestRequest } from './github-schemas.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, any>[] }[];

export const API = 'https://api.github.com';
export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';
export const PR = 2;
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const HEAD_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
export const CHECK_RUN_ID = 4242;

export interface RecordedRequest {
  method: string;
  path: string;
  body: any;
}

/** Records every request nock answers and what was wrong with it. */
export class Recorder {
  readonly requests: RecordedRequest[] = [];
  readonly problems: string[] = [];

  /** A nock scope for api.github.com whose requests are recorded and validated. */
  scope(): nock.Scope {
    const scope = nock(API);
    scope.on('request', (req: { method: string; path: string }, _interceptor: unknown, bodyText: string) => {
      // A throw here would hang the request, so every failure becomes a recorded problem.
      try {
        const body = bodyText ? JSON.parse(bodyText) : undefined;
        this.requests.push({ method: req.method, path: req.path, body });
        const problems =
          req.path === '/graphql' ? validateGraphqlRequest(body) : validateRestRequest(req.method, req.path, body);
        this.problems.push(...problems);
      } catch (error) {
        this.problems.push(`${req.method} ${req.path}: ${String(error)}`);
      }
    });
    return scope;
  }

  bodiesOf(method: string, path: string | RegExp): any[] {
    return this.requests
      .filter((r) => r.method === method && (typeof path === 'string' ? r.path.split('?')[0] === path : path.test(r.path)))
      .map((r) => r.body);
  }

  graphqlOperations(): string[] {
    return this.requests
      .filter((r) => r.path === '/graphql')
      .map((r) => /(query|mutation) (\w+)/.exec(r.body.query)?.[2] ?? '?');
  }
}

/** A log that keeps its lines, so tests can read what a delivery logged. */
export interface LogLine {
  level: string;
  bindings: Record<string, unknown>;
  fields: Record<string, unknown>;
  msg: string;
}

export function capturingLogger(lines: LogLine[] = [], bindings: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (a?: unknown, b?: unknown) => {
    const fields = typeof a === 'object' && a !== null ? (a as Record<string, unknown>) : {};
    const msg = typeof a === 'string' ? a : typeof b === 'string' ? b : '';
    lines.push({ level, bindings, fields, msg });
  };
  const log = {
    level: 'trace',
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    fatal: write('fatal'),
    child: (more: Record<string, unknown>) => capturingLogger(lines, { ...bindings, ...more }),
  };
  return log as unknown as Logger;
}

/** Probot with the app's own request policy (retries after 1 ms instead of seconds). */
export function testProbot(options: { log?: Logger; appId?: number; privateKey?: string; secret?: string } = {}): Probot {
  const Octokit = appOctokit({ baseDelayMs: 1, sleep: async () => undefined });
  const auth = options.privateKey ? { appId: options.appId ?? 1, privateKey: options.privateKey } : { githubToken: 'test-token' };
  return new Probot({ ...auth, Octokit, log: options.log ?? capturingLogger(), secret: options.secret });
}

/** The app with its journal in a fresh temporary folder. */
export function testApp(options: AppOptions = {}): ThreadlintApp {
  return createThreadlintApp({ stateDir: mkdtempSync(join(tmpdir(), 'threadlint-test-')), ...options });
}

// ---------------------------------------------------------------- payloads

function example(event: string, action: string): Record<string, any> {
  const found = examples.find((e) => e.name === event)!.examples.find((x) => x.action === action && x.installation);
  if (!found) throw new Error(`no ${event}.${action} example`);
  return structuredClone(found);
}

/** A real `pull_request` payload from @octokit/webhooks-examples, at the given head. */
export function pullRequestPayload(action: string, overrides: { sha?: string; draft?: boolean } = {}): any {
  const payload = example('pull_request', action);
  payload.pull_request.head.sha = overrides.sha ?? HEAD_SHA;
  payload.pull_request.draft = overrides.draft ?? false;
  return payload;
}

/** `check_suite.rerequested` listing our pull request. */
export function checkSuiteRerequestedPayload(sha = HEAD_SHA): any {
  const payload = example('check_suite', 'rerequested');
  payload.repository = example('pull_request', 'opened').repository;
  payload.check_suite.head_sha = sha;
  payload.check_suite.pull_requests[0].head.sha = sha;
  return payload;
}

/** `check_run.rerequested` of our check run, with the pull request GitHub lists for it. */
export function checkRunRerequestedPayload(sha = HEAD_SHA): any {
  const payload = example('check_run', 'rerequested');
  const suite = checkSuiteRerequestedPayload(sha);
  payload.repository = suite.repository;
  payload.check_run.name = 'threadlint';
  payload.check_run.head_sha = sha;
  payload.check_run.pull_requests = suite.check_suite.pull_requests;
  return payload;
}

// ---------------------------------------------------------------- files and patches

export interface PrFile {
  filename: string;
  status?: 'added' | 'modified' | 'removed' | 'renamed';
  previous_filename?: string;
  /** Head content (absent for removed files). */
  content?: string;
  /** Defaults to "every line added" for added files. Null = GitHub sent no patch. */
  patch?: string | null;
  changes?: number;
}

/** The patch GitHub shows for a new file. */
export function addedPatch(content: string): string {
  const lines = content.replace(/\n$/, '').split('\n');
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}`;
}

export function blobSha(path: string): string {
  let h = 0;
  for (const c of path) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(5);
}

/** The `GET /pulls/{n}/files` entry for a file. */
export function listEntry(file: PrFile): Record<string, unknown> {
  const status = file.status ?? 'added';
  const patch = file.patch === undefined ? (file.content !== undefined ? addedPatch(file.content) : undefined) : file.patch;
  const changes = file.changes ?? (patch ? patch.split('\n').filter((l) => /^[+-]/.test(l)).length : 0);
  return {
    sha: blobSha(file.filename),
    filename: file.filename,
    status,
    additions: changes,
    deletions: 0,
    changes,
    blob_url: `https://github.com/${OWNER}/${REPO}/blob/${HEAD_SHA}/${file.filename}`,
    raw_url: `https://github.com/${OWNER}/${REPO}/raw/${HEAD_SHA}/${file.filename}`,
    contents_url: `${API}${REPO_PATH}/contents/${file.filename}?ref=${HEAD_SHA}`,
    ...(patch ? { patch } : {}),
    ...(file.previous_filename ? { previous_filename: file.previous_filename } : {}),
  };
}

// ---------------------------------------------------------------- interceptors

/** The check run created `queued` at acceptance, and the job marking it `in_progress`. */
export function mockCreateCheckRun(scope: nock.Scope, id = CHECK_RUN_ID): nock.Scope {
  return scope
    .post(`${REPO_PATH}/check-runs`)
    .reply(201, { id, name: 'threadlint' })
    .patch(`${REPO_PATH}/check-runs/${id}`, (b) => b.status === 'in_progress')
    .reply(200, { id });
}

/** `GET /git/trees/{sha}?recursive=1`: the head tree with each file's size. */
export function mockTree(scope: nock.Scope, files: PrFile[], extra: PrFile[] = [], sha = HEAD_SHA): nock.Scope {
  const tree = [...files, ...extra]
    .filter((f) => f.status !== 'removed' && f.content !== undefined)
    .map((f) => ({ path: f.filename, mode: '100644', type: 'blob', sha: blobSha(f.filename), size: Buffer.byteLength(f.content!) }));
  return scope.get(`${REPO_PATH}/git/trees/${sha}`).query({ recursive: '1' }).reply(200, { sha: 'tree'.padEnd(40, '0'), url: '', truncated: false, tree });
}

export function mockUpdateCheckRun(scope: nock.Scope, times = 1, id = CHECK_RUN_ID): nock.Scope {
  return scope.patch(`${REPO_PATH}/check-runs/${id}`).times(times).reply(200, { id });
}

/** No `.github/threadlint.yml` in the repository nor in the org's `.github` repository. */
export function mockNoConfig(scope: nock.Scope): nock.Scope {
  return scope
    .get(`${REPO_PATH}/contents/.github%2Fthreadlint.yml`)
    .reply(404, { message: 'Not Found' })
    .get(`/repos/${OWNER}/.github/contents/.github%2Fthreadlint.yml`)
    .reply(404, { message: 'Not Found' });
}

export function mockConfig(scope: nock.Scope, yaml: string, times = 1): nock.Scope {
  return scope.get(`${REPO_PATH}/contents/.github%2Fthreadlint.yml`).times(times).reply(200, yaml, { 'content-type': 'text/plain; charset=utf-8' });
}

/** `GET /pulls/{n}/files`, 100 per page with Link headers, as GitHub paginates. */
export function mockListFiles(scope: nock.Scope, files: PrFile[]): nock.Scope {
  const entries = files.map(listEntry);
  const pages = Math.max(1, Math.ceil(entries.length / 100));
  for (let page = 1; page <= pages; page++) {
    const query = page === 1 ? { per_page: '100' } : { per_page: '100', page: String(page) };
    const headers: Record<string, string> = {};
    if (page < pages) headers.link = `<${API}${REPO_PATH}/pulls/${PR}/files?per_page=100&page=${page + 1}>; rel="next"`;
    scope.get(`${REPO_PATH}/pulls/${PR}/files`).query(query).reply(200, entries.slice((page - 1) * 100, page * 100), headers);
  }
  return scope;
}

const isQuery = (name: string) => (body: any) => typeof body?.query === 'string' && body.query.includes(name);

/** Answers blob queries from `files`; `truncated` paths come back as GraphQL does for big blobs. */
export function mockBlobs(scope: nock.Scope, files: PrFile[], queries: number, truncated: string[] = []): nock.Scope {
  const byPath = new Map(files.map((f) => [f.filename, f]));
  return scope
    .post('/graphql', isQuery('threadlintBlobs'))
    .times(queries)
    .reply(200, (_uri, body: any) => {
      const repository: Record<string, unknown> = {};
      for (const [name, expression] of Object.entries(body.variables as Record<string, string>)) {
        if (!/^e\d+$/.test(name)) continue;
        const path = expression.slice(expression.indexOf(':') + 1);
        const file = byPath.get(path);
        const alias = `f${name.slice(1)}`;
        if (file?.content === undefined) repository[alias] = null;
        else if (truncated.includes(path)) repository[alias] = { text: null, isBinary: false, isTruncated: true, byteSize: file.content.length };
        else repository[alias] = { text: file.content, isBinary: false, isTruncated: false, byteSize: file.content.length };
      }
      return { data: { repository } };
    });
}

export interface ThreadFixture {
  id: string;
  path: string;
  body: string;
  isResolved?: boolean;
  replies?: { login: string; typename?: string }[];
}

export function mockThreads(scope: nock.Scope, threads: ThreadFixture[] = []): nock.Scope {
  const nodes = threads.map((t) => ({
    id: t.id,
    isResolved: t.isResolved ?? false,
    path: t.path,
    comments: {
      totalCount: 1 + (t.replies?.length ?? 0),
      nodes: [
        { body: t.body, author: { __typename: 'Bot', login: 'threadlint[bot]' } },
        ...(t.replies ?? []).map((r) => ({ body: 'ok', author: { __typename: r.typename ?? 'User', login: r.login } })),
      ],
    },
  }));
  return scope.post('/graphql', isQuery('threadlintThreads')).reply(200, {
    data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } } },
  });
}

export function mockCreateReview(scope: nock.Scope, status = 200): nock.Scope {
  return scope
    .post(`${REPO_PATH}/pulls/${PR}/reviews`)
    .reply(status, status === 200 ? { id: 80 } : { message: 'Unprocessable Entity', errors: ['Line could not be resolved'] });
}

export function mockResolveThreads(scope: nock.Scope): nock.Scope {
  return scope.post('/graphql', isQuery('threadlintResolve')).reply(200, (_uri, body: any) => ({
    data: Object.fromEntries(Object.values(body.variables as Record<string, string>).map((id, i) => [`r${i}`, { thread: { id, isResolved: true } }])),
  }));
}

/** The whole happy path for `files`: check run (queued, in progress), config, list, tree, blobs, threads, [review], completion. */
export function mockFullRun(
  scope: nock.Scope,
  files: PrFile[],
  options: { review?: boolean; updates?: number; threads?: ThreadFixture[]; blobQueries?: number; sha?: string } = {},
): nock.Scope {
  mockCreateCheckRun(scope);
  mockNoConfig(scope);
  mockListFiles(scope, files);
  const python = files.filter((f) => f.status !== 'removed' && /\.pyi?$/.test(f.filename));
  if (python.length > 0) {
    mockTree(scope, files, [], options.sha);
    mockBlobs(scope, files, options.blobQueries ?? Math.ceil(python.length / 50));
    mockThreads(scope, options.threads);
  }
  if (options.review) mockCreateReview(scope);
  return mockUpdateCheckRun(scope, options.updates ?? 1);
}
