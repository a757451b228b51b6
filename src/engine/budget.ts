/**
 * The per-file analysis budget: past its deadline the analysis of a file stops with a
 * note naming the stage, instead of running on. The analysis of one file is synchronous
 * once it is parsed, so one budget per thread is enough; the tree and the model call
 * `tick()` on their hot paths, which looks at the clock every few thousand calls.
 */
export class BudgetExceeded extends Error {
  constructor(
    readonly stage: string,
    readonly limitMs: number,
  ) {
    super(`analysis stopped: ${stage} exceeded the ${formatMs(limitMs)} budget`);
  }
}

let deadline = Infinity;
let limit = 0;
let stage = '';
let ticks = 0;

/** Run `work` under a budget of `ms` milliseconds (Infinity: none). */
export function withBudget<T>(ms: number, work: () => T): T {
  const outer = { deadline, limit, stage };
  deadline = Number.isFinite(ms) ? performance.now() + ms : Infinity;
  limit = ms;
  stage = 'analysis';
  try {
    return work();
  } finally {
    ({ deadline, limit, stage } = outer);
  }
}

/** Name what runs now (a rule ID, "fix verification" …) for the note if time runs out. */
export function enterStage(name: string): void {
  stage = name;
}

/** Throws once the deadline has passed. */
export function checkBudget(): void {
  if (performance.now() > deadline) throw new BudgetExceeded(stage, limit);
}

/** Cheap enough for hot paths: looks at the clock every 4,096 calls. */
export function tick(): void {
  if ((++ticks & 4095) === 0 && performance.now() > deadline) throw new BudgetExceeded(stage, limit);
}

/** Milliseconds left, or Infinity without a budget. */
export function remainingMs(): number {
  return deadline === Infinity ? Infinity : Math.max(0, deadline - performance.now());
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
