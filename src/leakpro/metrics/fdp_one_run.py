"""One-run auditing of f-DP (after Mahloujifar, Melis & Chaudhuri 2024): no δ paid per canary.

Setting (as in :mod:`leakpro.metrics.one_run`): m canaries, each included independently with probability ½
(S_i ∈ {0, 1}); from the mechanism's output O the auditor makes exactly k guesses (a set G of canaries, each
guessed "in" or "out", chosen from O alone) and abstains on the rest; N is the number of correct guesses.
The claim tested is that the mechanism is **f-DP in each canary**: for every value of the other bits, the
trade-off function between O given S_i = 0 and O given S_i = 1 (both orders) is at least f, a symmetric,
convex, continuous trade-off function. Write g(a) = inf{b : 1 − f(b) ≥ a}, the least type-I error of a test
whose power is a; g is increasing and convex with g(0) = 0.

**Step 1: one inequality per level c = 1..k.** Draw I uniformly from the m canaries. A tester who sees O, I
and S_{−I} (so it knows N_{−I}, the correct guesses among the other canaries) faces a mixture, over
(I, S_{−I}) with the same weights under both hypotheses, of pairs that are each f-DP; since it knows the
component and f is convex (Jensen), its own trade-off is still ≥ f. Test 1 says "S_I = 1" when I ∈ G is
guessed in and N_{−I} ≥ c − 1; test 2 says "S_I = 0" when I ∈ G is guessed out and N_{−I} ≥ c − 1. As S_I is
a fair coin independent of (I, S_{−I}), their powers are 2P[I ∈ G guessed in, correct, N ≥ c] and the same for
out, and their type-I errors 2P[I ∈ G guessed in, wrong, N ≥ c − 1] and the same for out (a correct guess on
I adds one to N_{−I}, a wrong one adds nothing). Averaging the two tests and using convexity of f once more,

    a_c ≤ 1 − f(b_{c−1}),  i.e.  b_{c−1} ≥ g(a_c),  with
    a_c = E[N·1{N ≥ c}] / m,   b_c = E[(k − N)·1{N ≥ c}] / m

(P over I of "I ∈ G and right" is N/m, of "I ∈ G and wrong" (k − N)/m). Nothing depends on δ per canary:
the whole curve f enters through g.

*Guesses "in" only* (G all guessed in): test 1 alone gives 2a_c ≤ 1 − f(2b_{c−1}) with a, b as above, which is
the same inequality for m/2 canaries; steps 2 and the test then run with m/2 in place of m
(:func:`leakpro.metrics.dp_bounds.bound_of`).

**Step 2: the least total mass of a distribution with P[N ≥ v] ≥ τ.** Let p satisfy all the inequalities
and P[N ≥ v] ≥ τ. Moving all mass above v down to v keeps every inequality (for c ≤ v, a_c falls and b_{c−1}
rises; above v both sides become 0) and the total. Then, going down from level v with
(r_v, h_v) = (vτ/m, (k − v)τ/m) and, for i = v, v−1, …, 1,

    h_{i−1} = max(h_i, g(r_i)),   r_{i−1} = r_i + w_i·(h_{i−1} − h_i),   w_i = (i − 1)/(k − i + 1),

the actual (A_i, B_i) = (a_i, b_i) of p satisfy B_i ≥ h_i, A_i ≥ r_i and A_i − w·B_i ≥ r_i − w·h_i for every
w ≤ w_{i+1} (at level v with equality when the mass there is τ, and with ≥ when it is more). The induction:
B_{i−1} ≥ max(B_i, g(A_i)) ≥ h_{i−1}; A − w_i·B does not change from level i to i − 1 (mass at level i − 1
adds i − 1 to A for k − i + 1 to B), so A_{i−1} ≥ r_{i−1} + w_i·(B_{i−1} − h_{i−1}) ≥ r_{i−1}, and for w ≤ w_i
the third line follows by adding (w_i − w)·(B_{i−1} − h_{i−1}) ≥ 0. At level 0 the total mass is
(A_0 + B_0)·m/k = 1, so r_0 + h_0 ≤ k/m. Hence **if r_0 + h_0 > k/m, then P[N ≥ v] < τ** for every
mechanism that is f-DP in each canary. The recursion is Mahloujifar et al.'s; this is our derivation of it.

**The test.** With τ the level, "f is rejected" when the observed v gives r_0 + h_0 > k/m: rejection implies
N ≥ v_min, the least v that does, and P[N ≥ v_min] < τ. Over a nested family (f_θ higher as θ falls: g_θ
lower as θ rises) the rejections are monotone (the same induction compares the two recursions), so the largest
θ rejected is a lower bound on the true θ at confidence 1 − τ. Two families:

- ``epsilon_delta``: f_{ε,δ}(α) = max(0, 1 − δ − e^ε·α, e^{−ε}(1 − δ − α)), the curve of (ε, δ)-DP itself:
  every (ε, δ)-DP mechanism is f_{ε,δ}-DP, so the result is an **ε lower bound in the (ε, δ) sense**, for any
  mechanism. g(a) = max(0, e^{−ε}(a − δ), 1 − δ − e^ε(1 − a)).
- ``gaussian``: G_μ(α) = Φ(Φ⁻¹(1 − α) − μ), g(a) = Φ(Φ⁻¹(a) − μ). The result μ̂ is a lower bound on μ for a
  mechanism that is μ-GDP; it is reported as ε(μ̂, δ) with the exact conversion
  δ(ε) = Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2) (Dong, Roth & Su 2019). That ε is a lower bound on the mechanism's
  ε only when its trade-off curve is Gaussian (full-batch DP-SGD, T Gaussian steps: μ = √T/σ exactly); for a
  Poisson-subsampled mechanism "not μ̂-GDP" does not imply "not (ε(μ̂), δ)-DP" and the number is the
  empirical-GDP summary, not a proof of an (ε, δ) violation.

>>> round(fdp_epsilon(1000, 200, 200, family="epsilon_delta", delta=1e-5), 2) > 2  # 200 of 200 right
True
>>> fdp_epsilon(1000, 200, 100, family="gaussian", delta=1e-5)  # chance level
0.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from scipy import optimize, special

Family = Literal["epsilon_delta", "gaussian"]
FAMILIES: tuple[Family, ...] = ("epsilon_delta", "gaussian")


def g_epsilon_delta(epsilon: float, delta: float) -> Callable[[float], float]:
    """g(a) = least type-I error of a test with power a against an (ε, δ)-DP pair."""
    up, down = math.exp(epsilon), math.exp(-epsilon)
    return lambda a: max(0.0, down * (a - delta), 1.0 - delta - up * (1.0 - a))


def g_gaussian(mu: float) -> Callable[[float], float]:
    """g(a) = Φ(Φ⁻¹(a) − μ): least type-I error of a test with power a against a μ-GDP pair."""
    return lambda a: float(special.ndtr(special.ndtri(a) - mu)) if a > 0 else 0.0


def rejects(m: float, k: int, v: int, g: Callable[[float], float], level: float) -> bool:
    """True when ≥ v correct of k guesses over m canaries has probability < ``level`` under the curve of g."""
    if not 0 <= v <= k <= m or k == 0:
        raise ValueError(f"need 0 <= v <= k <= m and k > 0, got v={v}, k={k}, m={m}")
    r, h = level * v / m, level * (k - v) / m
    for i in range(v, 0, -1):  # level i → i − 1 (see the module)
        h_next = max(h, g(r))
        if h_next == h:  # then g(r) <= h and r stays: nothing changes below
            break
        r += (i - 1) / (k - i + 1) * (h_next - h)
        h = h_next
    return r + h > k / m * (1 + 1e-12)


def gdp_delta(mu: float, epsilon: float) -> float:
    """δ(ε) of μ-GDP: Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2) (Dong, Roth & Su 2019, Corollary 2.13)."""
    if mu <= 0:
        return 0.0
    log_a = special.log_ndtr(-epsilon / mu + mu / 2)
    log_b = epsilon + special.log_ndtr(-epsilon / mu - mu / 2)
    return float(math.exp(log_a) * -math.expm1(log_b - log_a)) if log_b < log_a else 0.0


def gdp_epsilon(mu: float, delta: float) -> float:
    """The ε of μ-GDP at δ (0 when μ-GDP already gives δ(0) ≤ δ)."""
    if mu <= 0 or gdp_delta(mu, 0.0) <= delta:
        return 0.0
    hi = 1.0
    while gdp_delta(mu, hi) > delta:
        hi *= 2
    return float(optimize.brentq(lambda e: gdp_delta(mu, e) - delta, 0.0, hi, xtol=1e-9))


def _largest_rejected(reject: Callable[[float], bool], tol: float) -> float:
    """Largest θ ≥ 0 with reject(θ) (monotone: rejected θ form an interval [0, θ*)), by bisection."""
    if not reject(0.0):
        return 0.0
    lo, hi = 0.0, 1.0
    while reject(hi):
        lo, hi = hi, 2 * hi
        if hi > 200:
            return lo
    while hi - lo > tol:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if reject(mid) else (lo, mid)
    return lo


def fdp_mu(m: float, k: int, v: int, confidence: float = 0.95, tol: float = 1e-5) -> float:
    """Largest μ such that μ-GDP is rejected by v correct of k guesses (0 when none is), to within ``tol``."""
    return _largest_rejected(lambda mu: rejects(m, k, v, g_gaussian(mu), 1 - confidence), tol)


def fdp_epsilon(m: float, k: int, v: int, *, family: Family, delta: float, confidence: float = 0.95,
                tol: float = 1e-5) -> float:
    """ε lower bound of one family (see the module for what each claims); 0 when nothing is rejected."""
    if family == "gaussian":
        return gdp_epsilon(fdp_mu(m, k, v, confidence, tol), delta)
    return _largest_rejected(lambda eps: rejects(m, k, v, g_epsilon_delta(eps, delta), 1 - confidence), tol)
