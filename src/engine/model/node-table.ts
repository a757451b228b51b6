/**
 * Answers kept per node of one tree. Node ids are row numbers (0 … count-1), so a
 * typed array of slots replaces a hash map: no hashing, no rehashing as a big file's
 * answers pile up, and one small object per table instead of one entry per answer.
 */
export class NodeTable<T> {
  /** For each node: 0 when unanswered, else the answer's index + 1 in `values` (made on first answer). */
  private slots: Int32Array | undefined;
  private readonly values: T[] = [];

  constructor(private readonly count: number) {}

  get(id: number): T | undefined {
    const slot = this.slots?.[id];
    return slot === 0 || slot === undefined ? undefined : this.values[slot - 1];
  }

  set(id: number, value: T): void {
    this.slots ??= new Int32Array(this.count);
    const slot = this.slots[id];
    if (slot) {
      this.values[slot - 1] = value;
      return;
    }
    this.values.push(value);
    this.slots[id] = this.values.length;
  }
}
