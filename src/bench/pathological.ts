/**
 * Inputs that break analyzers that are not linear: generated, so nothing third-party is
 * stored. The benchmark times them; a test checks they finish without crash notes.
 */
export interface Pathological {
  name: string;
  source: string;
}

/** `n` nested `with lock:` blocks. */
export function deepWith(n: number): string {
  let s = 'import threading\nlock = threading.Lock()\ndef f():\n';
  for (let i = 0; i < n; i++) s += `${' '.repeat(4 * (i + 1))}with lock:\n`;
  return `${s}${' '.repeat(4 * (n + 1))}pass\n`;
}

/** `n` statements with findings on one line. */
export function oneLine(n: number): string {
  const parts = Array.from({ length: n }, (_, i) => `t${i % 50}.run()`);
  return `import threading\n${Array.from({ length: 50 }, (_, i) => `t${i} = threading.Thread(target=print)`).join('\n')}\n${parts.join('; ')}\n`;
}

/** `n` small fixable blocks: a bare acquire/release pair, an unchecked acquire, a positional target. */
export function fixableSnippets(n: number): string {
  const out = ['import threading', 'lock = threading.Lock()', 'def work():', '    pass', ''];
  for (let i = 0; i < n; i++) {
    switch (i % 3) {
      case 0:
        out.push(`def bump_${i}(state):`, '    lock.acquire()', `    state[${i}] = ${i}`, '    lock.release()', '');
        break;
      case 1:
        out.push(`def try_${i}(state):`, '    lock.acquire(timeout=1)', `    state[${i}] = ${i}`, '    lock.release()', '');
        break;
      default:
        out.push(`def spawn_${i}():`, '    t = threading.Thread(work)', '    t.start()', '    return t', '');
    }
  }
  return out.join('\n');
}

/** A call nested `n` deep: f(f(f(…))). */
export function nestedCalls(n: number): string {
  return `import threading\nx = ${'f('.repeat(n)}1${')'.repeat(n)}\n`;
}

/** A list literal nested `n` deep. */
export function nestedLiterals(n: number): string {
  return `import threading\nx = ${'['.repeat(n)}1${']'.repeat(n)}\ny = ${'{1: '.repeat(n)}2${'}'.repeat(n)}\n`;
}

/** The set the benchmark reports on (sizes from the engine issue). */
export function pathologicalSet(): Pathological[] {
  let twoMb = '';
  for (let k = 0; twoMb.length < 2_000_000; k++) twoMb += fixableSnippets(300).replace(/def (\w+)_(\d+)/g, `def $1_${k}_$2`);
  return [
    { name: 'with nested 500 deep', source: deepWith(500) },
    { name: '5,000 statements on one line', source: oneLine(5000) },
    { name: '2 MB of fixable findings', source: twoMb },
    { name: 'calls nested 20,000 deep', source: nestedCalls(20_000) },
    { name: 'literals nested 2,000 deep', source: nestedLiterals(2000) },
  ];
}
