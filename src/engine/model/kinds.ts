/**
 * The threading kinds of RULES.md and the qualified names that construct them.
 * A kind is only ever assigned from these tables: anything else stays unknown.
 */
export type Kind =
  | 'Lock'
  | 'RLock'
  | 'Condition'
  | 'Semaphore'
  | 'Event'
  | 'Barrier'
  | 'Thread'
  | 'Executor'
  | 'Future'
  | 'Queue';

export const CONSTRUCTORS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['threading.Lock', 'Lock'],
  ['multiprocessing.Lock', 'Lock'],
  ['threading.RLock', 'RLock'],
  ['multiprocessing.RLock', 'RLock'],
  ['threading.Condition', 'Condition'],
  ['threading.Semaphore', 'Semaphore'],
  ['threading.BoundedSemaphore', 'Semaphore'],
  ['threading.Event', 'Event'],
  ['threading.Barrier', 'Barrier'],
  ['threading.Thread', 'Thread'],
  ['threading.Timer', 'Thread'],
  ['concurrent.futures.ThreadPoolExecutor', 'Executor'],
  ['concurrent.futures.ProcessPoolExecutor', 'Executor'],
  ['concurrent.futures.thread.ThreadPoolExecutor', 'Executor'],
  ['concurrent.futures.process.ProcessPoolExecutor', 'Executor'],
  ['queue.Queue', 'Queue'],
  ['queue.LifoQueue', 'Queue'],
  ['queue.PriorityQueue', 'Queue'],
  ['queue.SimpleQueue', 'Queue'],
  ['multiprocessing.Queue', 'Queue'],
  ['multiprocessing.JoinableQueue', 'Queue'],
]);

/** Names usable in annotations, which also name classes that are not constructors. */
export const ANNOTATION_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ...CONSTRUCTORS,
  ['concurrent.futures.Future', 'Future'],
  ['concurrent.futures.Executor', 'Executor'],
  ['concurrent.futures._base.Future', 'Future'],
  ['threading._RLock', 'RLock'],
  ['_thread.LockType', 'Lock'],
  ['_thread.lock', 'Lock'],
]);

/** Wrappers that leave the wrapped annotation's kind intact (`Optional[Lock]`). */
export const TRANSPARENT_ANNOTATIONS = new Set([
  'typing.Optional',
  'Optional',
  'typing.Final',
  'typing.ClassVar',
  'typing.Annotated',
]);

/** Locks that one thread may not take twice. */
export const NON_REENTRANT: ReadonlySet<Kind> = new Set<Kind>(['Lock']);

export const LOCK_LIKE: ReadonlySet<Kind> = new Set<Kind>(['Lock', 'RLock', 'Semaphore', 'Condition']);

/**
 * Words that make a file worth modelling at all: the threading modules, threading
 * socketservers and future callbacks (code that runs on threads the module never names),
 * and lock names (a module may only import its locks from another: `from app.locks import db_lock`).
 */
export const RELEVANT_SOURCE = /\b(?:threading|multiprocessing|concurrent|queue|sleep|_thread|task_done|add_done_callback)\b|(?<![bcBC])[lL]ocks?\b|\bThreading(?:MixIn|\w*Server)\b/;

/** Names a star import of a threading module brings in, as far as the rules care. */
export const STAR_EXPORTS: ReadonlySet<string> = new Set([
  ...ANNOTATION_KINDS.keys(),
  'time.sleep',
  'concurrent.futures.wait',
  'concurrent.futures.as_completed',
  'concurrent.futures.FIRST_COMPLETED',
  'concurrent.futures.ALL_COMPLETED',
  'queue.Empty',
  'queue.Full',
]);
