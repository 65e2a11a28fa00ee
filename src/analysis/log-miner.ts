// PLACEHOLDER (skeleton) of the streaming log template miner. The logs helper replaces the
// internals; the exported API below is fixed (analysis and the CLI depend on it).

export interface MinedTemplate {
  /** stable id: the same template text always gets the same id, across runs */
  id: string;
  /** template text with variable parts written <*> */
  template: string;
  count: number;
}

export class TemplateMiner {
  private readonly byKey = new Map<string, MinedTemplate>();

  /** Assign one message to a template (creating or generalising one); returns that template. */
  add(message: string): MinedTemplate {
    const template = message.replace(/\d+/g, '<*>');
    let t = this.byKey.get(template);
    if (!t) {
      t = { id: 'T' + (this.byKey.size + 1), template, count: 0 };
      this.byKey.set(template, t);
    }
    t.count++;
    return t;
  }

  /** All templates seen so far. */
  templates(): MinedTemplate[] {
    return [...this.byKey.values()];
  }
}
