#!/usr/bin/python3
"""Reference values of Borgonovo's delta for Sobol's G function, binned as DeltaAccumulator bins.

tests/test_importance.cpp (Importance.SobolGDeltaMatchesHighNReference) compares symbiomc's
given-data delta estimator with these numbers. They are computed here independently of the
C++ estimator, by a semi-analytic route:

  G(x) = prod_j g_j(x_j), g_j(x) = (|4x - 2| + a_j) / (1 + a_j), x_j ~ U(0, 1) independent.
  |4x - 2| is U(0, 2), so every g_j is uniform on [a_j / (1 + a_j), (2 + a_j) / (1 + a_j)].
  Given x_j, Y = g_j(x_j) Z_j with Z_j = prod_{i != j} g_i, so
      P(Y < e | x_j) = F_Zj(e / g_j(x_j)),
  where F_Zj is the CDF of a product of independent uniforms, here the empirical CDF of
  2^25 draws (its error is below 0.5 / sqrt(2^25) = 9e-5 at any point).
  The estimand of the binned estimator with B equal-probability bins of x_j and classes
  (-inf, e_0), [e_0, e_1), ..., [e_{E-1}, inf) is
      delta_j = 1/2 sum_b (1/B) sum_h |P(h | b) - P(h)|,
  with P(h | b) = B * integral over bin b of P(Y in class h | x_j = x) dx (Gauss-Legendre,
  64 nodes per bin; the kink of |4x - 2| at x = 1/2 is a bin edge for even B) and P(h) the
  average of P(h | b) over the bins.

Run: /usr/bin/python3 tests/reference/g_delta_reference.py   (about half a minute, 2 GB)
"""
import numpy as np

A = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0]
BINS = 32
EDGES = [0.125 * k for k in range(1, 25)]  # 0.125, 0.25, ..., 3.0: 25 classes
DRAWS = 1 << 25
NODES = 64


def g(x, a):
    return (np.abs(4.0 * x - 2.0) + a) / (1.0 + a)


def main():
    import sys
    rng = np.random.default_rng(int(sys.argv[1]) if len(sys.argv) > 1 else 20261206)
    nodes, weights = np.polynomial.legendre.leggauss(NODES)
    edges = np.array(EDGES)
    deltas = []
    for j, aj in enumerate(A):
        z = np.ones(DRAWS)
        for i, ai in enumerate(A):
            if i != j:
                lo, hi = ai / (1.0 + ai), (2.0 + ai) / (1.0 + ai)
                z *= rng.uniform(lo, hi, DRAWS)
        z.sort()
        p_given_bin = np.empty((BINS, len(EDGES) + 1))
        for b in range(BINS):
            lo, hi = b / BINS, (b + 1) / BINS
            x = 0.5 * (hi - lo) * nodes + 0.5 * (hi + lo)
            w = 0.5 * weights  # averages over the bin: the weights sum to 1
            gx = g(x, aj)
            # F_Z(e / g) at every edge and node; g = 0 (only at x = 1/2, a bin edge) never occurs
            # at a Gauss node.
            cdf = np.searchsorted(z, edges[:, None] / gx[None, :], side="left") / DRAWS
            below = cdf @ w  # P(Y < e_k | bin b)
            p_given_bin[b] = np.diff(np.concatenate(([0.0], below, [1.0])))
        p = p_given_bin.mean(axis=0)
        delta = 0.5 * np.abs(p_given_bin - p).sum(axis=1).mean()
        deltas.append(delta)
        print(f"delta_{j + 1} (a = {aj:g}): {delta:.5f}")
    print("{" + ", ".join(f"{d:.5f}" for d in deltas) + "}")


if __name__ == "__main__":
    main()
