import type { Node } from '../engine/tree/index.js';
import { unwrap, type SemanticModel } from '../engine/model/model.js';
import { createRule } from '../engine/rule.js';
import { isTestPath } from '../config/resolve.js';
import { possiblyConcurrent } from './support/concurrent-code.js';
import { oneLine } from './support/locking.js';

/** Calls that change state every thread of the process shares: which state, and what it is. */
const CALLS: ReadonlyMap<string, State> = new Map([
  ['os.chdir', 'cwd'],
  ['os.fchdir', 'cwd'],
  ['contextlib.chdir', 'cwd'],
  ['os.putenv', 'env'],
  ['os.unsetenv', 'env'],
  ['os.environ.update', 'env'],
  ['os.environ.setdefault', 'env'],
  ['os.environ.pop', 'env'],
  ['os.environ.popitem', 'env'],
  ['os.environ.clear', 'env'],
  ['os.environ.__setitem__', 'env'],
  ['os.umask', 'umask'],
  ['sys.setrecursionlimit', 'recursion'],
  ['socket.setdefaulttimeout', 'socket'],
  ['contextlib.redirect_stdout', 'sys.stdout'],
  ['contextlib.redirect_stderr', 'sys.stderr'],
  ['decimal.setcontext', 'decimal'],
]);

type State = 'cwd' | 'env' | 'umask' | 'recursion' | 'socket' | 'locale' | 'warnings' | 'decimal' | 'sys.stdout' | 'sys.stderr' | 'sys.stdin';

const WHAT: Record<State, string> = {
  cwd: 'the working directory of every thread',
  env: 'the environment of the whole process',
  umask: 'the file-creation mask of every thread (even reading it means setting it)',
  recursion: 'the recursion limit of every thread',
  socket: 'the default timeout of every new socket, in every thread',
  locale: 'the locale of every thread',
  warnings: 'the warning filters of every thread (context-local only from Python 3.14)',
  decimal: 'the decimal context of this thread, which a pool worker keeps for the next task',
  'sys.stdout': '`sys.stdout` for every thread',
  'sys.stderr': '`sys.stderr` for every thread',
  'sys.stdin': '`sys.stdin` for every thread',
};

/** Context managers: the change is undone when the block ends (over whatever other threads did meanwhile). */
const CONTEXT_MANAGERS = new Set(['contextlib.chdir', 'contextlib.redirect_stdout', 'contextlib.redirect_stderr', 'warnings.catch_warnings']);

/** Warning-filter changes: process-wide before 3.14 (free-threaded 3.14 makes them context-local). */
const WARNINGS_FILTERS = new Set(['warnings.simplefilter', 'warnings.filterwarnings', 'warnings.resetwarnings']);

/** Attributes whose assignment swaps a process-wide object. */
const ASSIGNED = new Set(['sys.stdout', 'sys.stderr', 'sys.stdin']);

interface Change {
  node: Node;
  state: State;
  fn: Node;
  /** A `with` manager: the change is undone when the block ends. */
  undone: boolean;
}

/**
 * Code that runs on a thread changing what every other thread reads: the working
 * directory, the environment, the standard streams, the warning filters, the umask.
 * Reported where a thread entry reaches the change, and — under the free-threading
 * profile, where any library function may run on a thread — where a function changes
 * such state for a while and puts it back (`with warnings.catch_warnings():`, `os.chdir`
 * there and back, `sys.stdout` swapped and restored): the change is meant to be local,
 * and other threads see it. A permanent change in start-up code (a server setting its
 * environment once) is configuration, not a race.
 */
export default createRule(
  {
    id: 'TL603',
    name: 'process-global-state-in-threads',
    severity: 'warning',
    summary: 'Code that may run on a thread changes process-wide state other threads read: `os.chdir`, `os.environ[k] = …`, `sys.stdout = …`, `warnings.catch_warnings()` …',
    why: 'There is one working directory, one environment and one set of warning filters per process: another thread sees the change in the middle of its own work.',
    fix: 'never',
    inTests: true,
    profile: 'free-threading',
  },
  (ctx) => {
    const { model, config } = ctx;
    const contextAwareWarnings = atLeast(config.python_version, 3, 14);
    // Test suites change warning filters on purpose (to check warnings); only the other states flake a test.
    const inTest = isTestPath(config, ctx.path);
    const changes: Change[] = [];
    const add = (node: Node, state: State | null, undone: boolean) => {
      const fn = state && model.enclosingFunction(node);
      if (fn && !(inTest && (state === 'warnings' || isFixture(fn)))) changes.push({ node, state: state!, fn, undone });
    };
    for (const call of model.calls) {
      const qname = model.calleeName(call);
      if (!qname) continue;
      add(call, CALLS.get(qname) ?? callState(model, call, qname, contextAwareWarnings), CONTEXT_MANAGERS.has(qname) && isWithManager(call));
    }
    for (const node of [...model.nodes('assignment'), ...model.nodes('augmented_assignment'), ...model.nodes('delete_statement')]) {
      add(node, assignmentState(model, node), false);
    }
    const byFunction = new Map<number, Change[]>();
    for (const c of changes) {
      const list = byFunction.get(c.fn.id);
      if (list) list.push(c);
      else byFunction.set(c.fn.id, [c]);
    }
    for (const list of byFunction.values()) {
      const fn = list[0].fn;
      const onThread = model.threads.entriesReaching(fn).length > 0;
      if (!onThread && !possiblyConcurrent(model, fn, config)) continue;
      const temporaryFn = isGenerator(model, fn);
      // The standard streams are swapped together (`sys.stdout, sys.stderr = …`): one report for them.
      const group = (st: State) => (st.startsWith('sys.') ? 'streams' : st);
      const reported = new Set<string>();
      for (const c of list) {
        if (reported.has(group(c.state))) continue;
        const same = list.filter((o) => group(o.state) === group(c.state));
        // An environment key removed is a put-back only where the function also sets one.
        // A put-back follows a change it can undo: not the other branch of one `if`.
        const putBack = same.some(
          (o) => restores(model, o) && same.some((x) => x !== o && x.node.startIndex < o.node.startIndex && !isRemoval(model, x) && !exclusiveBranches(x.node, o.node)),
        );
        const temporary = c.undone || temporaryFn || (same.length > 1 && putBack);
        if (!onThread && !temporary) continue;
        reported.add(group(c.state));
        ctx.report({
          node: c.node,
          message:
            `\`${oneLine(c.node.text)}\` changes ${WHAT[c.state]}${temporary ? ' for a while' : ''}, in code that ${onThread ? 'runs on a thread' : 'may run on several threads at once'}: ` +
            `another thread sees the change in the middle of its own work${temporary ? ', and putting it back undoes whatever another thread set meanwhile' : ''}. Pass the value explicitly instead (a path, \`env=\`, a stream argument${c.state === 'warnings' ? ', or filter with `-W` / at start-up' : ''}).`,
        });
      }
    }
  },
);

function callState(model: SemanticModel, call: Node, qname: string, contextAwareWarnings: boolean): State | null {
  if (qname === 'locale.setlocale') {
    const { positional, keywords } = model.args(call);
    const value = keywords.get('locale') ?? positional[1];
    return value && unwrap(value).type !== 'none' ? 'locale' : null;
  }
  if (contextAwareWarnings) return null;
  if (qname === 'warnings.catch_warnings') return 'warnings';
  if (WARNINGS_FILTERS.has(qname) && !insideCatchWarnings(model, call)) return 'warnings';
  return null;
}

/** `os.environ[k] = v`, `del os.environ[k]`, `sys.stdout = …`, `decimal.getcontext().prec = …`. */
function assignmentState(model: SemanticModel, node: Node): State | null {
  const left = node.childForFieldName('left');
  // `saved, sys.stderr = sys.stderr, buffer`: each target of a tuple assignment.
  const targets = node.type === 'delete_statement' ? node.namedChildren : left && ['pattern_list', 'tuple_pattern', 'tuple'].includes(left.type) ? left.namedChildren : [left];
  for (const t of targets) {
    if (!t) continue;
    const target = unwrap(t);
    if (target.type === 'subscript') {
      const value = target.childForFieldName('value');
      if (value && model.qualifiedName(value) === 'os.environ') return 'env';
      if (value && isDecimalContext(model, value)) return 'decimal';
    }
    if (target.type === 'attribute' && node.type !== 'delete_statement') {
      const qname = model.qualifiedName(target);
      if (qname && ASSIGNED.has(qname)) return qname as State;
      const object = target.childForFieldName('object');
      if (object && isDecimalContext(model, object)) return 'decimal';
    }
  }
  return null;
}

/** `decimal.getcontext()` or an attribute of it (`decimal.getcontext().traps`). */
function isDecimalContext(model: SemanticModel, expr: Node): boolean {
  let e: Node | null = unwrap(expr);
  while (e?.type === 'attribute') e = e.childForFieldName('object');
  return e?.type === 'call' && model.calleeName(e) === 'decimal.getcontext';
}

function insideCatchWarnings(model: SemanticModel, node: Node): boolean {
  for (let p = node.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type !== 'with_statement') continue;
    if (p.descendantsOfType('call').some((c) => c.startIndex < (p.childForFieldName('body')?.startIndex ?? 0) && model.calleeName(c) === 'warnings.catch_warnings')) return true;
  }
  return false;
}

/**
 * Whether a change puts a saved value back: `os.chdir(old)`, `sys.stdout = saved`,
 * `os.environ[k] = previous`, `del os.environ[k]` / `os.environ.pop(k)` (the key was set
 * for a while), where the value is a local variable of the function (not a parameter).
 */
function restores(model: SemanticModel, change: Change): boolean {
  const n = change.node;
  if (n.type === 'delete_statement') return true;
  let value: Node | null | undefined = null;
  if (n.type === 'call') {
    const mc = model.methodCall(n);
    if (mc && (mc.method === 'pop' || mc.method === 'clear') && change.state === 'env') return true;
    const { positional } = model.args(n);
    value = change.state === 'locale' ? positional[1] : positional[0];
  } else if (n.type === 'assignment') value = n.childForFieldName('right');
  const v = value && unwrap(value);
  if (v?.type !== 'identifier') return false;
  const binding = model.resolveName(v.text, v);
  if (!binding?.scope || binding.scope.node.id !== change.fn.id) return false;
  // The variable holds what the state was: `old = os.getcwd()`, `saved = sys.stdout`, `prev = os.umask(m)`.
  const reads = SAVED_FROM[change.state];
  return binding.sites.some((s) => (s.type === 'assign' || s.type === 'tuple-assign') && s.value && reads.test(s.value.text));
}

/** What a saved copy of each state is read from. */
const SAVED_FROM: Record<State, RegExp> = {
  cwd: /\bgetcwd\b|\babspath\b|\bcwd\b/,
  env: /\benviron\b|\bgetenv\b/,
  umask: /\bumask\b/,
  recursion: /\bgetrecursionlimit\b/,
  socket: /\bgetdefaulttimeout\b/,
  locale: /\b(?:setlocale|getlocale)\b/,
  warnings: /\bfilters\b/,
  decimal: /\bgetcontext\b/,
  'sys.stdout': /\bsys\.std(?:out|err|in)\b|__stdout__/,
  'sys.stderr': /\bsys\.std(?:out|err|in)\b|__stderr__/,
  'sys.stdin': /\bsys\.std(?:out|err|in)\b|__stdin__/,
};

/** Whether two nodes sit in different clauses of one `if` statement (never both run). */
function exclusiveBranches(a: Node, b: Node): boolean {
  const above = new Set<number>();
  for (let p: Node | null = a; p; p = p.parent) above.add(p.id);
  let child = b;
  for (let p = b.parent; p; child = p, p = p.parent) {
    if (!above.has(p.id)) continue;
    // `try:` body and an `except` handler: the handler runs when the body did not finish.
    if (p.type === 'try_statement') return (child.type === 'except_clause') !== (clauseOfIn(p, a).type === 'except_clause');
    if (p.type !== 'if_statement') return false;
    const clauseOf = (n: Node) => {
      let c = n;
      while (c.parent && c.parent.id !== p.id) c = c.parent;
      return c;
    };
    const ca = clauseOf(a);
    return ca.id !== child.id && ca.type !== 'comparison_operator' && child.fieldName !== 'condition' && ca.fieldName !== 'condition';
  }
  return false;
}

function clauseOfIn(parent: Node, n: Node): Node {
  let c = n;
  while (c.parent && c.parent.id !== parent.id) c = c.parent;
  return c;
}

function isRemoval(model: SemanticModel, change: Change): boolean {
  const mc = change.node.type === 'call' ? model.methodCall(change.node) : null;
  return change.node.type === 'delete_statement' || mc?.method === 'pop' || mc?.method === 'clear';
}

/**
 * A pytest fixture: it runs once around a test, not on the test's threads
 * (pytest-run-parallel runs only the test body on several threads).
 */
function isFixture(fn: Node): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  return !!decorated?.namedChildren.some((d) => d.type === 'decorator' && /\bfixture\b/.test(d.text));
}

/** `with m(...):` or `with m(...) as x:`. */
function isWithManager(call: Node): boolean {
  const p = call.parent;
  return p?.type === 'with_item' || (p?.type === 'as_pattern' && p.parent?.type === 'with_item');
}

/** A generator function (a `@contextmanager` body): what it changes before `yield` it changes for the caller's block. */
function isGenerator(model: SemanticModel, fn: Node): boolean {
  return fn.descendantsOfType('yield').some((y) => model.enclosingFunction(y)?.id === fn.id);
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map((n) => Number.parseInt(n, 10));
  return a > major || (a === major && (b ?? 0) >= minor);
}
