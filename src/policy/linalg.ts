// Dense linear algebra for the bandit's small (d < 100) Gaussian posteriors: Cholesky, solves and
// quadratic forms. Hand-written because these few loops are all we need and the maintained numeric
// libraries on npm are large or unmaintained; matrices here are symmetric positive definite.

export type Matrix = number[][];

export function identity(d: number, scale = 1): Matrix {
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? scale : 0)));
}

/** Lower-triangular L with A = L Lᵀ. Adds jitter if A is numerically not positive definite. */
export function cholesky(a: Matrix): Matrix {
  const d = a.length;
  let maxDiag = 0;
  for (let i = 0; i < d; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i][i]));
  for (let jitter = 0; jitter < 10; jitter++) {
    // relative jitter: a precision matrix's diagonal can be 1e5 or more
    const eps = jitter === 0 ? 0 : maxDiag * 1e-13 * 10 ** jitter;
    const l: Matrix = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    let ok = true;
    for (let i = 0; i < d && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = a[i][j] + (i === j ? eps : 0);
        for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          l[i][i] = Math.sqrt(s);
        } else {
          l[i][j] = s / l[j][j];
        }
      }
    }
    if (ok) return l;
  }
  throw new Error('matrix is not positive definite');
}

/** Solve L y = b (forward). */
export function forward(l: Matrix, b: readonly number[]): number[] {
  const d = l.length;
  const y = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  return y;
}

/** Solve Lᵀ x = y (backward). */
export function backward(l: Matrix, y: readonly number[]): number[] {
  const d = l.length;
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/** Solve A x = b given A's Cholesky factor. */
export function cholSolve(l: Matrix, b: readonly number[]): number[] {
  return backward(l, forward(l, b));
}

/** xᵀ A⁻¹ x given A's Cholesky factor (= |L⁻¹x|²). */
export function invQuad(l: Matrix, x: readonly number[]): number {
  const y = forward(l, x);
  let s = 0;
  for (const v of y) s += v * v;
  return s;
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** A += w x xᵀ (in place). */
export function addOuter(a: Matrix, x: readonly number[], w = 1): void {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] * w;
    if (xi === 0) continue;
    const row = a[i];
    for (let j = 0; j < x.length; j++) row[j] += xi * x[j];
  }
}
