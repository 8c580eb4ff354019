//! Action masks (`available` in the scenario file, `docs/SCENARIO.md` §6.8).
//!
//! Each round, before anyone forecasts or decides, every action's condition is
//! evaluated on the true world state at the start of the round (the frame: state
//! variables and `round`). Availability is public: every agent knows which actions
//! every agent can play this round. An unavailable action gets expected utility
//! `-inf` and probability exactly 0, in the agent's own decision, in the others'
//! forecasts of it, in level-k hierarchies and in fictitious players' models; the
//! stage game classified at the end of a run is restricted to the last round's
//! available actions.
//!
//! Scenarios without masks never touch any of this (every flag stays true), so their
//! results are unchanged bit for bit.

use crate::engine::{Model, WorldState};
use crate::model::Dims;
use crate::rules::DecisionRule;
use crate::scenario::CompiledScenario;

/// Which actions can be played this round, flat by [`Dims::action_offset`].
#[derive(Clone, Debug)]
pub struct Availability {
    /// Whether the scenario has masks at all (otherwise every flag is always true).
    pub active: bool,
    /// One flag per action.
    pub flags: Vec<bool>,
}

impl Availability {
    /// All actions available; `active` when the scenario declares masks.
    pub fn new(s: &CompiledScenario, d: &Dims) -> Self {
        Availability {
            active: s.has_masks(),
            flags: vec![true; d.actions],
        }
    }

    /// Agent `j`'s flags (`n` actions from `offset`) when masks are in force, None
    /// otherwise.
    pub fn of(&self, offset: usize, n: usize) -> Option<&[bool]> {
        self.active.then(|| &self.flags[offset..offset + n])
    }

    /// All flags when masks are in force, None otherwise.
    pub fn mask(&self) -> Option<&[bool]> {
        self.active.then_some(self.flags.as_slice())
    }
}

/// Evaluates every action's condition on `frame` into `flags` (flat by action offset).
pub fn evaluate(s: &CompiledScenario, d: &Dims, frame: &[f64], flags: &mut [bool]) {
    for (j, a) in s.agents.iter().enumerate() {
        let off = d.action_offset[j];
        for (k, cond) in a.available.iter().enumerate() {
            flags[off + k] = cond.as_ref().is_none_or(|c| c.eval_bool(frame));
        }
    }
}

/// Sets the expected utility of every unavailable action to `-inf`.
pub fn mask_expected(expected: &mut [f64], available: &[bool]) {
    for (x, &ok) in expected.iter_mut().zip(available) {
        if !ok {
            *x = f64::NEG_INFINITY;
        }
    }
}

/// Restricts a probability vector to the available actions: unavailable actions get
/// exactly 0 and the rest is renormalised; if nothing available had positive
/// probability (or the total is not finite), play is uniform over the available
/// actions. A vector that already gives every unavailable action 0 is left as is,
/// bit for bit.
pub fn restrict(probs: &mut [f64], available: &[bool]) {
    if probs.iter().zip(available).all(|(&p, &ok)| ok || p == 0.0) {
        return;
    }
    let mut total = 0.0;
    for (p, &ok) in probs.iter_mut().zip(available) {
        if !ok {
            *p = 0.0;
        }
        total += *p;
    }
    if total > 0.0 && total.is_finite() {
        probs.iter_mut().for_each(|p| *p /= total);
    } else {
        let n = available.iter().filter(|&&ok| ok).count().max(1);
        for (p, &ok) in probs.iter_mut().zip(available) {
            *p = if ok { 1.0 / n as f64 } else { 0.0 };
        }
    }
}

/// [`restrict`] applied to each agent's block of a flat `[agent][action]` vector.
pub fn restrict_all(s: &CompiledScenario, d: &Dims, probs: &mut [f64], available: &[bool]) {
    for (j, a) in s.agents.iter().enumerate() {
        let (off, n) = (d.action_offset[j], a.actions.len());
        restrict(&mut probs[off..off + n], &available[off..off + n]);
    }
}

/// A decision under masks: unavailable actions get expected utility `-inf` in
/// `expected`, `rule`'s response is written to `policy`, restricted to the available
/// actions. Without a mask this is exactly `rule.policy(expected, policy)`.
pub fn respond(
    rule: &DecisionRule,
    expected: &mut [f64],
    policy: &mut [f64],
    available: Option<&[bool]>,
) {
    if let Some(m) = available {
        mask_expected(expected, m);
    }
    rule.policy(expected, policy);
    if let Some(m) = available {
        restrict(policy, m);
    }
}

/// A level-0 agent's play `level0`, restricted to the available actions.
pub fn level0(level0: &[f64], policy: &mut [f64], available: Option<&[bool]>) {
    policy.copy_from_slice(level0);
    if let Some(m) = available {
        restrict(policy, m);
    }
}

/// The round's step: this round's availability, on the state at the start of the round.
pub fn update_availability(model: &Model, world: &WorldState, availability: &mut Availability) {
    if availability.active {
        evaluate(
            &model.scenario,
            &model.dims,
            &world.frame,
            &mut availability.flags,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restrict_zeroes_and_renormalises() {
        let mut p = [0.25, 0.25, 0.5];
        restrict(&mut p, &[true, false, true]);
        assert_eq!(p, [1.0 / 3.0, 0.0, 2.0 / 3.0]);
        // All available mass zero: uniform over the available actions.
        let mut p = [0.0, 1.0, 0.0];
        restrict(&mut p, &[true, false, true]);
        assert_eq!(p, [0.5, 0.0, 0.5]);
        // Already restricted: untouched, bit for bit.
        let mut p = [0.1 + 0.2, 0.0, 0.7];
        let before = p;
        restrict(&mut p, &[true, false, true]);
        assert_eq!(p.map(f64::to_bits), before.map(f64::to_bits));
    }

    #[test]
    fn masked_expected_utilities_are_minus_infinity() {
        let mut eu = [1.0, 2.0, 3.0];
        mask_expected(&mut eu, &[true, false, true]);
        assert_eq!(eu, [1.0, f64::NEG_INFINITY, 3.0]);
    }
}
