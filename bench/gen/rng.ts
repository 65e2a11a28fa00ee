// The second scenario set's own randomness (sfc32 seeded through splitmix32), written apart from
// src/policy/simulate-rng.ts on purpose: the policy's prior was trained on that simulator, so this
// set shares neither its generator nor its noise shapes.

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Gen {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const sm = splitmix32(seed);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    for (let i = 0; i < 12; i++) this.u();
  }

  /** uniform [0,1) */
  u(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.u();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.u() * (hi - lo + 1));
  }
  logRange(lo: number, hi: number): number {
    return Math.exp(this.range(Math.log(lo), Math.log(hi)));
  }
  bool(p: number): boolean {
    return this.u() < p;
  }
  one<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.u() * xs.length)];
  }
  /** standard normal (Marsaglia polar) */
  gauss(): number {
    for (;;) {
      const x = 2 * this.u() - 1;
      const y = 2 * this.u() - 1;
      const s = x * x + y * y;
      if (s > 0 && s < 1) return x * Math.sqrt((-2 * Math.log(s)) / s);
    }
  }
  /** Student-t with nu degrees of freedom, scaled to unit variance when nu > 2 (heavy tails) */
  studentT(nu: number): number {
    let chi = 0;
    for (let i = 0; i < nu; i++) chi += this.gauss() ** 2;
    const t = this.gauss() / Math.sqrt(chi / nu);
    return nu > 2 ? t * Math.sqrt((nu - 2) / nu) : t;
  }
  /** Pareto(xm = 1, alpha): 1 + a heavy tail */
  pareto(alpha: number): number {
    return Math.pow(1 - this.u(), -1 / alpha);
  }
  /** Poisson count (Knuth for small means, normal approximation above 40) */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.gauss()));
    const L = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.u();
    } while (p > L);
    return k - 1;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.u() * 16).toString(16);
    return s;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.one(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }
}
