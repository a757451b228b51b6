/**
 * A fake GitHub on loopback that answers like the real one for what the app uses:
 * installation tokens, check runs (create, update, list by ref, get), pull request
 * files, reviews (create, list), the head tree, blobs, and the GraphQL queries for
 * blobs, sizes, context, review threads and resolving them. It keeps state, so a
 * second process (or a second attempt) sees what the first one did: posted review
 * comments come back as review threads, as on GitHub.
 *
 * Faults are scripted per route (`fail`): answer a status (with headers, e.g.
 * `retry-after`), carry the request out and then answer a status (the "502 after the
 * review was stored" case), or never answer. `hold` pauses matching requests until
 * released, so a test can kill a process at a known point.
 *
 * Serves both `https://api.github.com`-style paths (`/repos/…`, `/graphql`) and GitHub
 * Enterprise paths (`/api/v3/…`, `/api/graphql`), so child processes reach it through
 * `GHE_HOST=127.0.0.1:<port>` and `GHE_PROTOCOL=http`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateGraphqlRequest, validateRestRequest } from './github-schemas.js';

export interface FakeFile {
  filename: string;
  content: string;
  status?: 'added' | 'modified' | 'removed';
  patch?: string | null;
}

export interface FakeCheckRun {
  id: number;
  owner: string;
  repo: string;
  head_sha: string;
  name: string;
  external_id?: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string };
  annotations: Record<string, unknown>[];
  createdAt: number;
  completedAt?: number;
  /** Every status this check run went through, in order. */
  history: string[];
}

export interface FakeReview {
  id: number;
  owner: string;
  repo: string;
  pullNumber: number;
  body: string;
  commit_id: string;
  comments: { path: string; line: number; body: string }[];
}

export interface Fault {
  method: string;
  path: RegExp;
  /** For `/graphql`: only requests whose query contains this (an operation name). */
  query?: string;
  /** How many matching requests it applies to; default 1. */
  times?: number;
  /** Matching requests let through before it applies; default 0. */
  after?: number;
  /** Answer this status without acting (or after acting, with `afterActing`). */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Carry the request out, then answer `status` instead of the real answer. */
  afterActing?: boolean;
  /** Never answer (the connection is held until the server closes). */
  hang?: boolean;
}

export interface RecordedCall {
  method: string;
  path: string;
  body: any;
  at: number;
}

interface PullState {
  headSha: string;
  files: FakeFile[];
}

/** Hashes and sizes are worked out once per file: big files are part of the tests. */
const blobShas = new WeakMap<object, { sha: string; size: number; lines: number }>();

export interface FakeGitHubOptions {
  /** Validate request bodies against GitHub's REST and GraphQL descriptions (slower to start). Default true. */
  validate?: boolean;
  /** Extra files in every repository's tree (context), path → content. */
  repoFiles?: Record<string, string>;
  /** `.github/threadlint.yml` by repository (`owner/repo`); absent ones answer 404. */
  configs?: Record<string, string>;
  /** Added to every answer, as a real GitHub takes time. */
  latencyMs?: number;
}

const sha1ish = (text: string): string => {
  let h1 = 0x811c9dc5;
  let h2 = 0x1234567;
  for (let i = 0; i < text.length; i++) {
    h1 = Math.imul(h1 ^ text.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 ^ text.charCodeAt(i), 2246822519) >>> 0;
  }
  return (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(3).slice(0, 40);
};

export function addedPatch(content: string): string {
  const lines = content.replace(/\n$/, '').split('\n');
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}`;
}

export class FakeGitHub {
  readonly calls: RecordedCall[] = [];
  readonly problems: string[] = [];
  readonly checkRuns = new Map<number, FakeCheckRun>();
  readonly reviews: FakeReview[] = [];
  private readonly pulls = new Map<string, PullState>();
  private readonly blobs = new Map<string, string>();
  private faults: (Fault & { left: number; skip: number })[] = [];
  private holds: { method: string; path: RegExp; waiting: (() => void)[]; signal: () => void }[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  private nextId = 1000;
  url = '';
  port = 0;

  constructor(private readonly options: FakeGitHubOptions = {}) {
    for (const content of Object.values(options.repoFiles ?? {})) this.blobs.set(sha1ish(content), content);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const hold of this.holds) hold.waiting.splice(0).forEach((go) => go());
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Replaces the repository's other files (as after a push to the base branch). */
  setRepoFiles(files: Record<string, string>): void {
    this.options.repoFiles = files;
    for (const content of Object.values(files)) this.blobs.set(sha1ish(content), content);
  }

  /** A pull request `owner/repo#number` at `headSha` with these changed files. */
  setPull(owner: string, repo: string, pullNumber: number, headSha: string, files: FakeFile[]): void {
    this.pulls.set(`${owner}/${repo}#${pullNumber}`, { headSha, files });
    for (const f of files) this.blobs.set(this.blobOf(f).sha, f.content);
  }

  private blobOf(file: FakeFile): { sha: string; size: number; lines: number } {
    let known = blobShas.get(file);
    if (!known) {
      known = { sha: sha1ish(file.content), size: Buffer.byteLength(file.content), lines: file.content.split('\n').length };
      blobShas.set(file, known);
    }
    return known;
  }

  fail(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1, skip: fault.after ?? 0 });
  }

  /** Holds matching requests until `release()`; resolves `arrived` when the first one comes. */
  hold(method: string, path: RegExp): { arrived: Promise<void>; release: () => void } {
    let signal!: () => void;
    const arrived = new Promise<void>((resolve) => (signal = resolve));
    const hold = { method, path, waiting: [] as (() => void)[], signal };
    this.holds.push(hold);
    return {
      arrived,
      release: () => {
        this.holds = this.holds.filter((h) => h !== hold);
        hold.waiting.splice(0).forEach((go) => go());
      },
    };
  }

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  graphqlCalls(operation: string): RecordedCall[] {
    return this.calls.filter((c) => c.path === '/graphql' && typeof c.body?.query === 'string' && c.body.query.includes(operation));
  }

  runsFor(headSha: string): FakeCheckRun[] {
    return [...this.checkRuns.values()].filter((r) => r.head_sha === headSha);
  }

  /** Inline comments posted on a pull request, over all reviews. */
  commentsOn(pullNumber: number): FakeReview['comments'] {
    return this.reviews.filter((r) => r.pullNumber === pullNumber).flatMap((r) => r.comments);
  }

  // ------------------------------------------------------------------ dispatch

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = (url.pathname.replace(/^\/api\/v3(?=\/)/, '').replace(/^\/api\/graphql$/, '/graphql')) + url.search;
    const method = req.method ?? 'GET';
    this.calls.push({ method, path, body, at: Date.now() });
    if (this.options.validate !== false && !path.startsWith('/app/')) {
      try {
        this.problems.push(...(path === '/graphql' ? validateGraphqlRequest(body) : validateRestRequest(method, path, body)));
      } catch (error) {
        this.problems.push(`${method} ${path}: ${String(error)}`);
      }
    }

    const hold = this.holds.find((h) => h.method === method && h.path.test(path));
    if (hold) {
      hold.signal();
      await new Promise<void>((resolve) => hold.waiting.push(resolve));
      // A client that died while held (a killed process) gets nothing done.
      if (req.socket.destroyed) return;
    }

    let fault = this.faults.find((f) => f.left > 0 && f.method === method && f.path.test(path) && (!f.query || String(body?.query ?? '').includes(f.query)));
    if (fault && fault.skip > 0) {
      fault.skip--;
      fault = undefined;
    } else if (fault) fault.left--;
    if (fault?.hang) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (fault && !fault.afterActing) return this.send(res, fault.status ?? 500, fault.body ?? { message: 'Fault injected' }, fault.headers);
    let answer: { status: number; body: unknown; headers?: Record<string, string> };
    try {
      answer = this.route(method, url, path, body);
    } catch (error) {
      answer = { status: 500, body: { message: String(error) } };
    }
    if (fault) return this.send(res, fault.status ?? 502, fault.body ?? { message: 'Bad Gateway' }, fault.headers);
    this.send(res, answer.status, answer.body, answer.headers);
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.options.latencyMs) {
      setTimeout(() => this.write(res, status, body, headers), this.options.latencyMs);
      return;
    }
    this.write(res, status, body, headers);
  }

  private write(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    if (res.destroyed) return;
    const text = body === undefined ? '' : typeof body === 'string' && headers['content-type']?.startsWith('text/') ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(text);
  }

  private route(method: string, url: URL, path: string, body: any): { status: number; body: unknown; headers?: Record<string, string> } {
    const p = path.split('?')[0];
    let m: RegExpExecArray | null;
    if (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(p)) {
      return { status: 201, body: { token: `ghs_fake${this.nextId++}`, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} } };
    }
    if (method === 'POST' && p === '/graphql') return { status: 200, body: this.graphql(body) };
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(p))) {
      const yaml = decodeURIComponent(m[3]) === '.github/threadlint.yml' ? this.options.configs?.[`${m[1]}/${m[2]}`] : undefined;
      if (yaml === undefined) return { status: 404, body: { message: 'Not Found' } };
      return { status: 200, body: yaml, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    }
    if (method === 'POST' && (m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs$/.exec(p))) {
      const id = this.nextId++;
      const run: FakeCheckRun = {
        id,
        owner: m[1],
        repo: m[2],
        head_sha: body.head_sha,
        name: body.name,
        external_id: body.external_id,
        status: body.status ?? 'queued',
        conclusion: body.conclusion ?? null,
        output: body.output ?? {},
        annotations: [...(body.output?.annotations ?? [])],
        createdAt: Date.now(),
        history: [body.status ?? 'queued'],
      };
      this.checkRuns.set(id, run);
      return { status: 201, body: this.checkRunJson(run) };
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs\/(\d+)$/.exec(p))) {
      const run = this.checkRuns.get(Number(m[3]));
      if (!run) return { status: 404, body: { message: 'Not Found' } };
      if (method === 'PATCH') {
        if (body.status) {
          run.status = body.status;
          run.history.push(body.status);
        }
        if (body.conclusion) {
          run.conclusion = body.conclusion;
          run.status = 'completed';
          if (run.history.at(-1) !== 'completed') run.history.push('completed');
        }
        if (run.status === 'completed') run.completedAt ??= Date.now();
        if (body.output) {
          run.output = { title: body.output.title, summary: body.output.summary };
          run.annotations.push(...(body.output.annotations ?? []));
        }
      }
      return { status: 200, body: this.checkRunJson(run) };
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/check-runs$/.exec(p))) {
      const name = url.searchParams.get('check_name');
      const runs = [...this.checkRuns.values()].filter((r) => r.owner === m![1] && r.repo === m![2] && r.head_sha === m![3] && (!name || r.name === name));
      return { status: 200, body: { total_count: runs.length, check_runs: runs.map((r) => this.checkRunJson(r)) } };
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/.exec(p))) {
      const [owner, repo, n] = [m[1], m[2], Number(m[3])];
      if (method === 'POST') {
        const review: FakeReview = { id: this.nextId++, owner, repo, pullNumber: n, body: body.body ?? '', commit_id: body.commit_id, comments: body.comments ?? [] };
        this.reviews.push(review);
        return { status: 200, body: { id: review.id, body: review.body, commit_id: review.commit_id, state: 'COMMENTED' } };
      }
      const list = this.reviews.filter((r) => r.owner === owner && r.repo === repo && r.pullNumber === n);
      return { status: 200, body: list.map((r) => ({ id: r.id, body: r.body, commit_id: r.commit_id, state: 'COMMENTED', user: { login: 'threadlint[bot]', type: 'Bot' } })) };
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files$/.exec(p))) {
      const pull = this.pulls.get(`${m[1]}/${m[2]}#${m[3]}`);
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      const page = Number(url.searchParams.get('page') ?? '1');
      const entries = pull.files.slice((page - 1) * 100, page * 100).map((f) => this.fileEntry(f));
      const headers: Record<string, string> = {};
      if (page * 100 < pull.files.length) headers.link = `<${this.url}${p}?per_page=100&page=${page + 1}>; rel="next"`;
      return { status: 200, body: entries, headers };
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/git\/trees\/([^/]+)$/.exec(p))) {
      const pull = [...this.pulls.entries()].find(([k, v]) => k.startsWith(`${m![1]}/${m![2]}#`) && v.headSha === m![3])?.[1];
      const files = new Map<string, { sha: string; size: number }>(
        Object.entries(this.options.repoFiles ?? {}).map(([path, content]) => [path, { sha: sha1ish(content), size: Buffer.byteLength(content) }]),
      );
      for (const f of pull?.files ?? []) if (f.status !== 'removed') files.set(f.filename, this.blobOf(f));
      const tree = [...files].map(([path, blob]) => ({ path, mode: '100644', type: 'blob', sha: blob.sha, size: blob.size }));
      return { status: 200, body: { sha: sha1ish(tree.map((e) => `${e.path}:${e.sha}`).join('\n')), url: '', truncated: false, tree } };
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/git\/blobs\/([^/]+)$/.exec(p))) {
      const content = this.blobs.get(m[3]);
      if (content === undefined) return { status: 404, body: { message: 'Not Found' } };
      return { status: 200, body: { sha: m[3], size: content.length, encoding: 'base64', content: Buffer.from(content).toString('base64') } };
    }
    return { status: 404, body: { message: `fake GitHub has no ${method} ${p}` } };
  }

  private checkRunJson(run: FakeCheckRun): Record<string, unknown> {
    return { id: run.id, name: run.name, head_sha: run.head_sha, external_id: run.external_id ?? '', status: run.status, conclusion: run.conclusion, output: run.output };
  }

  private fileEntry(f: FakeFile): Record<string, unknown> {
    const patch = f.patch === undefined ? addedPatch(f.content) : f.patch;
    const changes = patch ? patch.split('\n').filter((l) => /^[+-]/.test(l)).length : this.blobOf(f).lines;
    return { sha: this.blobOf(f).sha, filename: f.filename, status: f.status ?? 'added', additions: changes, deletions: 0, changes, blob_url: '', raw_url: '', contents_url: '', ...(patch ? { patch } : {}) };
  }

  private graphql(body: { query: string; variables: Record<string, any> }): unknown {
    const { query, variables } = body;
    const blob = (content: string | undefined, withText: boolean) =>
      content === undefined ? null : { ...(withText ? { text: content, isTruncated: false } : {}), isBinary: false, byteSize: Buffer.byteLength(content) };
    const byExpression = (expression: string): string | undefined => {
      const sha = expression.slice(0, expression.indexOf(':'));
      const path = expression.slice(expression.indexOf(':') + 1);
      for (const pull of this.pulls.values()) {
        if (pull.headSha === sha) {
          const file = pull.files.find((f) => f.filename === path);
          if (file) return file.content;
        }
      }
      return this.options.repoFiles?.[path];
    };
    if (query.includes('threadlintBlobs') || query.includes('threadlintSizes')) {
      const withText = query.includes('threadlintBlobs');
      const repository: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(variables)) if (/^e\d+$/.test(name)) repository[`f${name.slice(1)}`] = blob(byExpression(value), withText);
      return { data: { repository } };
    }
    if (query.includes('threadlintContext')) {
      const repository: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(variables)) {
        if (!/^o\d+$/.test(name)) continue;
        const content = this.blobs.get(value);
        repository[`b${name.slice(1)}`] = content === undefined ? null : { text: content, isBinary: false };
      }
      return { data: { repository } };
    }
    if (query.includes('threadlintThreads')) {
      const nodes = this.reviews
        .filter((r) => r.owner === variables.owner && r.repo === variables.name && r.pullNumber === variables.number)
        .flatMap((r) => r.comments.map((c, i) => ({ id: `T_${r.id}_${i}`, isResolved: false, path: c.path, comments: { totalCount: 1, nodes: [{ body: c.body, author: { __typename: 'Bot', login: 'threadlint[bot]' } }] } })));
      return { data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } } } };
    }
    if (query.includes('threadlintResolve')) {
      return { data: Object.fromEntries(Object.values(variables).map((id, i) => [`r${i}`, { thread: { id, isResolved: true } }])) };
    }
    return { errors: [{ message: 'fake GitHub: unknown query' }] };
  }
}
