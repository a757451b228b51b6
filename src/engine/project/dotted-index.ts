/**
 * Dotted names looked up the way `sameDottedName` compares them (equal, or one ends with
 * `.` + the other: `pkg.mod.REGISTRY` and `mod.REGISTRY`), without comparing a key with
 * every name: each name is filed under each of its dotted suffixes.
 */
export class DottedIndex {
  private readonly names = new Set<string>();
  private readonly bySuffix = new Map<string, string[]>();

  add(name: string): void {
    if (this.names.has(name)) return;
    this.names.add(name);
    for (let i = -1; ; ) {
      const suffix = name.slice(i + 1);
      const list = this.bySuffix.get(suffix);
      if (list) list.push(name);
      else this.bySuffix.set(suffix, [name]);
      i = name.indexOf('.', i + 1);
      if (i < 0) break;
    }
  }

  /** Every name equal to `key`, ending with `.key`, or that `key` ends with (after a dot); each once. */
  matches(key: string): string[] {
    const out = new Set(this.bySuffix.get(key) ?? []);
    for (let i = key.indexOf('.'); i >= 0; i = key.indexOf('.', i + 1)) {
      const suffix = key.slice(i + 1);
      if (this.names.has(suffix)) out.add(suffix);
    }
    return [...out];
  }
}
