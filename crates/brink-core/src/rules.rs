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
}

impl DecisionRule {
    /// Writes the probability of each action given expected utilities `eu` into `out`
    /// (same length). NaN utilities count as worst. If some utilities are `+inf`, the
    /// rule's limit is uniform play over those actions; if nothing beats `-inf`, play
    /// is uniform.
    pub fn policy(&self, eu: &[f64], out: &mut [f64]) {
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
        match *self {
            DecisionRule::BestResponse => {
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
            DecisionRule::Logit { lambda } => {
                // Subtract the best utility so exp never overflows.
                let mut total = 0.0;
                for (o, &u) in out.iter_mut().zip(eu) {
                    let w = if u.is_nan() {
                        0.0
                    } else {
                        (lambda * (u - best)).exp()
                    };
                    *o = w;
                    total += w;
                }
                out.iter_mut().for_each(|o| *o /= total);
            }
        }
    }
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
        let expected = 1.0 / (1.0 + (-2.0f64).exp());
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
