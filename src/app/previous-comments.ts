/**
 * What threadlint said on earlier pushes: the review threads it opened (found by the
 * fingerprint hidden in their first comment), so a finding is never commented twice,
 * and threads whose finding is gone can be resolved. One GraphQL query lists threads
 * with their comments; one mutation resolves many threads at once.
 */
import { extractFingerprint } from './comments.js';
import type { GitHub, RepoRef } from './github.js';

export interface PreviousThread {
  id: string;
  path: string;
  isResolved: boolean;
  fingerprint: string;
  /** Someone other than the bot answered: the thread is theirs to close. */
  hasReply: boolean;
}

export const THREADS_QUERY = `query threadlintThreads($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          path
          comments(first: 20) {
            totalCount
            nodes { body author { __typename login } }
          }
        }
      }
    }
  }
}`;

interface ThreadNode {
  id: string;
  isResolved: boolean;
  path: string;
  comments: { totalCount: number; nodes: { body: string; author: { __typename: string; login: string } | null }[] };
}

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ThreadNode[] };
    } | null;
  };
}

/** A thread is ours when a bot wrote its first comment with a threadlint fingerprint. */
export function toPreviousThread(node: ThreadNode): PreviousThread | undefined {
  const [first, ...replies] = node.comments.nodes;
  if (!first || first.author?.__typename !== 'Bot') return undefined;
  const fingerprint = extractFingerprint(first.body);
  if (!fingerprint) return undefined;
  const bot = first.author.login;
  const hasReply = node.comments.totalCount > node.comments.nodes.length || replies.some((c) => c.author?.login !== bot);
  return { id: node.id, path: node.path, isResolved: node.isResolved, fingerprint, hasReply };
}

/** Every review thread threadlint opened on the pull request (all pages). */
export async function listPreviousThreads(github: GitHub, repo: RepoRef, pullNumber: number): Promise<PreviousThread[]> {
  const threads: PreviousThread[] = [];
  let cursor: string | null = null;
  do {
    const page: ThreadsPage = await github.graphql<ThreadsPage>(THREADS_QUERY, {
      owner: repo.owner,
      name: repo.repo,
      number: pullNumber,
      cursor,
    });
    const connection = page.repository.pullRequest?.reviewThreads;
    if (!connection) break;
    for (const node of connection.nodes) {
      const thread = toPreviousThread(node);
      if (thread) threads.push(thread);
    }
    cursor = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  } while (cursor);
  return threads;
}

/**
 * Open threads of ours whose finding is gone at the new head. Only files analysed at
 * this head count: a file that failed to load or crashed says nothing about its threads.
 */
export function threadsToResolve(
  threads: readonly PreviousThread[],
  currentFingerprints: ReadonlySet<string>,
  analysedPaths: ReadonlySet<string>,
): PreviousThread[] {
  return threads.filter(
    (t) => !t.isResolved && !t.hasReply && analysedPaths.has(t.path) && !currentFingerprints.has(t.fingerprint),
  );
}

export function resolveMutation(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$t${i}: ID!`).join(', ');
  const fields = Array.from(
    { length: count },
    (_, i) => `r${i}: resolveReviewThread(input: { threadId: $t${i} }) { thread { id isResolved } }`,
  ).join('\n  ');
  return `mutation threadlintResolve(${vars}) {\n  ${fields}\n}`;
}

/** Resolves the threads, 50 per mutation. Returns the number of requests made. */
export async function resolveThreads(github: GitHub, threads: readonly PreviousThread[]): Promise<number> {
  let requests = 0;
  for (let i = 0; i < threads.length; i += 50) {
    const chunk = threads.slice(i, i + 50);
    const variables = Object.fromEntries(chunk.map((t, j) => [`t${j}`, t.id]));
    await github.graphql(resolveMutation(chunk.length), variables);
    requests++;
  }
  return requests;
}
