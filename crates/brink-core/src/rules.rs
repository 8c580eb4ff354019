//! Decision rules: how an agent turns expected utilities into a choice.
//!
//! A rule is a component of each agent entity, chosen per agent in the scenario, so
//! one game can mix rules. Every rule maps expected utilities to a probability
//! distribution over actions ([`DecisionRule::policy`]); an agent's choice is one draw
//! from that distribution with its own random stream ([`sample`]). Observers use the
//! same policy to predict what each type of another agent would do.

use bevy_ecs::component::Component;
use serde::{Deserialize, Serialize};

/// Actions whose expected utility is within this distance of the best (relative to the
/// size of the best) count as tied best responses.
pub const TIE_TOLERANCE: f64 = 1e-9;

/// How an agent chooses among its actions.
///
/// Every rule is two things: a model of what the others will play this round (see
/// [`crate::engine`] and `docs/SCENARIO.md` §6.2) and a *response* mapping expected
/// utilities to probabilities ([`DecisionRule::policy`]): best response, or logit when
/// the rule has a precision `lambda`.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum DecisionRule {
    /// Best response to beliefs: the action with the highest expected utility; ties
    /// (within [`TIE_TOLERANCE`]) are broken uniformly at random with the agent's
    /// seeded stream.
    BestResponse,
    /// Logit quantal response (McKelvey & Palfrey 1995): action `a` has probability
    /// proportional to `exp(lambda * EU(a))`. `lambda = 0` is uniform play; as
    /// `lambda` grows it approaches best response.
    Logit {
        /// Precision, >= 0.
        lambda: f64,
    },
    /// Level-k reasoning (Nagel 1995; Stahl & Wilson 1995; Costa-Gomes & Crawford
    /// 2006): level 0 plays the agent's declared `level0` distribution; level `k`
    /// best-responds (or logit-responds, with `lambda`) to every other agent playing
    /// its level `k − 1`.
    LevelK {
        /// The agent's level, >= 0.
        level: u32,
        /// Logit precision at every level; None for best response.
        lambda: Option<f64>,
    },
    /// Cognitive hierarchy (Camerer, Ho & Chong 2004): level `k` responds to the
    /// others playing levels `0..k` in proportions `f(h) / Σ_{h<k} f(h)`, `f` the
    /// Poisson(`tau`) density.
    CognitiveHierarchy {
        /// The agent's level, >= 0.
        level: u32,
        /// Mean of the Poisson distribution of levels, > 0.
        tau: f64,
        /// Logit precision at every level; None for best response.
        lambda: Option<f64>,
    },
    /// Fictitious play (Brown 1951; Robinson 1951; smooth: Fudenberg & Kreps 1993):
    /// the agent's belief about each other agent's play is the empirical frequency of
    /// the actions it has observed, started from `prior_weight` pseudo-observations
    /// spread as `prior` says; it best-responds (or logit-responds, with `lambda`:
    /// smooth fictitious play) to those frequencies.
    FictitiousPlay {
        /// Weight of the prior, in observations, >= 0.
        prior_weight: f64,
        /// How the prior pseudo-observations are spread.
        prior: FictitiousPrior,
        /// Logit precision; None for best response.
        lambda: Option<f64>,
    },
}

/// How far an agent looks ahead (`lookahead`, `discount` of its `decision`): it values
/// an action by this round's expected utility plus the `discount`-discounted expected
/// utility of the next `rounds` rounds along the path its model predicts (see
/// [`crate::lookahead`]). `rounds = 0` is the myopic rule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lookahead {
    /// Rounds looked ahead beyond this one, >= 0.
    pub rounds: u32,
    /// Discount factor per round, in [0, 1].
    pub discount: f64,
    /// What the agent expects beyond the first transition (`plan`).
    pub plan: Plan,
    /// Action profiles less likely than this are left out of each predicted
    /// transition, which is conditioned on the profiles kept (`prune`, in [0, 1);
    /// 0 keeps every profile: exact).
    pub prune: f64,
}

/// What a forward-looking agent expects beyond the first transition of each action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Plan {
    /// Everyone at later nodes looks ahead too (`min(lookahead, rounds left)`): a tree
    /// that is exact backward induction in perfect-information games, and grows like
    /// `(actions of forward-looking agents)^H` in states that do not recur.
    #[default]
    Tree,
    /// Everyone at later nodes plays its myopic rule (a rollout of the myopic policy,
    /// Bertsekas' rollout algorithm): one predicted path per action, so the cost grows
    /// linearly in `H`. Equal to the tree at `H = 1`.
    Rollout,
}

impl Default for Lookahead {
    fn default() -> Self {
        Lookahead {
            rounds: 0,
            discount: 1.0,
            plan: Plan::Tree,
            prune: 0.0,
        }
    }
}

impl Lookahead {
    /// Whether the agent looks ahead at all.
    pub fn active(&self) -> bool {
        self.rounds > 0
    }
}

/// Initial beliefs of a fictitious player about each other agent's play.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FictitiousPrior {
    /// Equal weight on every action.
    Uniform,
    /// A point mass on the other agent's `status_quo` (uniform if it has none).
    StatusQuo,
    /// Drawn afresh for each run, uniformly from the simplex (a flat Dirichlet), with
    /// the agent's own stream.
    Random,
}

impl DecisionRule {
    /// The logit precision of the rule's response, or None for best response.
    pub fn lambda(&self) -> Option<f64> {
        match *self {
            DecisionRule::BestResponse => None,
            DecisionRule::Logit { lambda } => Some(lambda),
            DecisionRule::LevelK { lambda, .. }
            | DecisionRule::CognitiveHierarchy { lambda, .. }
            | DecisionRule::FictitiousPlay { lambda, .. } => lambda,
        }
    }

    /// Writes the probability of each action given expected utilities `eu` into `out`
    /// (same length): the rule's response, best (ties spread evenly) or logit. NaN
    /// utilities count as worst. If some utilities are `+inf`, the response's limit is
    /// uniform play over those actions; if nothing beats `-inf`, play is uniform.
    pub fn policy(&self, eu: &[f64], out: &mut [f64]) {
        respond(self.lambda(), eu, out);
    }
}

/// The response map: best response (`lambda = None`; ties within [`TIE_TOLERANCE`]
/// spread evenly) or logit with precision `lambda`. See [`DecisionRule::policy`].
pub fn respond(lambda: Option<f64>, eu: &[f64], out: &mut [f64]) {
    debug_assert_eq!(eu.len(), out.len());
    let best = eu
        .iter()
        .copied()
        .filter(|x| !x.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    if best == f64::INFINITY {
        uniform_over(out, |a| eu[a] == f64::INFINITY);
        return;
    }
    if best == f64::NEG_INFINITY {
        uniform_over(out, |_| true);
        return;
    }
    match lambda {
        None => {
            let tol = TIE_TOLERANCE * best.abs().max(1.0);
            let mut ties = 0usize;
            for (o, &u) in out.iter_mut().zip(eu) {
                let tied = u >= best - tol;
                *o = if tied { 1.0 } else { 0.0 };
                ties += usize::from(tied);
            }
            let p = 1.0 / ties as f64;
            out.iter_mut().for_each(|o| *o *= p);
        }
        Some(lambda) => {
            // Subtract the best utility so exp never overflows.
            let mut total = 0.0;
            for (o, &u) in out.iter_mut().zip(eu) {
                // -inf (an unavailable action) stays impossible even at lambda = 0.
                let w = if u.is_nan() || u == f64::NEG_INFINITY {
                    0.0
                } else {
                    libm::exp(lambda * (u - best))
                };
                *o = w;
                total += w;
            }
            out.iter_mut().for_each(|o| *o /= total);
        }
    }
}

/// Normalised Poisson(`tau`) weights of levels `0..k` (cognitive hierarchy):
/// `out[h] = f(h) / Σ_{h'<k} f(h')`, `f(h) = tau^h / h!` (the `e^-tau` cancels).
pub fn poisson_weights(tau: f64, k: usize, out: &mut Vec<f64>) {
    out.clear();
    let mut f = 1.0;
    for h in 0..k {
        if h > 0 {
            f *= tau / h as f64;
        }
        out.push(f);
    }
    let total: f64 = out.iter().sum();
    out.iter_mut().for_each(|x| *x /= total);
}

/// Equal probability on the actions `chosen` selects, zero elsewhere.
fn uniform_over(out: &mut [f64], chosen: impl Fn(usize) -> bool) {
    let n = (0..out.len()).filter(|&a| chosen(a)).count();
    for (a, o) in out.iter_mut().enumerate() {
        *o = if chosen(a) { 1.0 / n as f64 } else { 0.0 };
    }
}

/// Index drawn from a probability vector with one uniform number `u` in `[0, 1)`
/// (inverse-CDF; the last action with positive probability takes any rounding excess).
pub fn sample(probs: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    let mut last = 0;
    for (i, &p) in probs.iter().enumerate() {
        if p > 0.0 {
            acc += p;
            last = i;
            if u < acc {
                return i;
            }
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_response_spreads_over_exact_ties_only() {
        let mut p = [0.0; 4];
        DecisionRule::BestResponse.policy(&[1.0, 3.0, 3.0, 2.9], &mut p);
        assert_eq!(p, [0.0, 0.5, 0.5, 0.0]);
    }

    #[test]
    fn logit_matches_closed_form() {
        // Two actions with utilities 0 and 1 under lambda = 2: P(second) = 1/(1+e^-2).
        let mut p = [0.0; 2];
        DecisionRule::Logit { lambda: 2.0 }.policy(&[0.0, 1.0], &mut p);
        let expected = 1.0 / (1.0 + libm::exp(-2.0));
        assert!((p[1] - expected).abs() < 1e-15);
        assert!((p[0] + p[1] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn logit_zero_is_uniform_and_large_lambda_is_best_response() {
        let mut p = [0.0; 3];
        DecisionRule::Logit { lambda: 0.0 }.policy(&[5.0, -1.0, 2.0], &mut p);
        assert!(p.iter().all(|&x| (x - 1.0 / 3.0).abs() < 1e-15));
        DecisionRule::Logit { lambda: 1e6 }.policy(&[5.0, -1.0, 2.0], &mut p);
        assert_eq!(p, [1.0, 0.0, 0.0]);
        // Huge utilities do not overflow.
        DecisionRule::Logit { lambda: 10.0 }.policy(&[1e300, 1e300, 0.0], &mut p);
        assert_eq!(p, [0.5, 0.5, 0.0]);
    }

    #[test]
    fn infinite_and_nan_utilities() {
        let mut p = [0.0; 3];
        for rule in [
            DecisionRule::BestResponse,
            DecisionRule::Logit { lambda: 1.0 },
        ] {
            rule.policy(&[1.0, f64::INFINITY, f64::NAN], &mut p);
            assert_eq!(p, [0.0, 1.0, 0.0], "{rule:?}");
            rule.policy(&[f64::NEG_INFINITY, f64::NAN, f64::NEG_INFINITY], &mut p);
            assert_eq!(p, [1.0 / 3.0; 3], "{rule:?}");
            rule.policy(&[f64::NAN, 2.0, f64::NEG_INFINITY], &mut p);
            assert_eq!(p, [0.0, 1.0, 0.0], "{rule:?}");
        }
        // Uniform logit play (lambda = 0) never picks a -inf action.
        DecisionRule::Logit { lambda: 0.0 }.policy(&[1.0, f64::NEG_INFINITY, 3.0], &mut p);
        assert_eq!(p, [0.5, 0.0, 0.5]);
    }

    #[test]
    fn sampling_inverts_the_cdf() {
        let p = [0.2, 0.0, 0.5, 0.3];
        assert_eq!(sample(&p, 0.0), 0);
        assert_eq!(sample(&p, 0.1999), 0);
        assert_eq!(sample(&p, 0.2), 2);
        assert_eq!(sample(&p, 0.6999), 2);
        assert_eq!(sample(&p, 0.7), 3);
        assert_eq!(sample(&p, 0.99999), 3);
        // Rounding excess goes to the last positive action, never a zero one.
        assert_eq!(sample(&[0.5, 0.49999999, 0.0], 0.999999999), 1);
    }
}
