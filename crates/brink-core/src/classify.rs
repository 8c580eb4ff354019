//! Classifying settled play against the equilibria of the last round's stage game
//! (`docs/SCENARIO.md` §11). Used by the engine and by the plain-struct reference
//! model in `benches/`.

use brink_solve::{NormalFormGame, PureNashSolver};

use crate::model::{self, Dims};
use crate::run_result::EquilibriumClass;
use crate::scenario::CompiledScenario;
use crate::stage_fill::{StageFill, fill_stage_payoffs};

/// One mixed strategy per agent.
type MixedProfile = Vec<Vec<f64>>;

/// The stage game, the solvers and their scratch, reused across runs.
pub struct Classifier {
    /// The stage game under true types over every declared action, as filled by the
    /// last [`Classifier::classify`] (before any availability restriction).
    full: NormalFormGame<f64>,
    /// Whether `full` was filled without a NaN payoff.
    full_ok: bool,
    /// `full` restricted to the available actions: the game that is classified.
    game: NormalFormGame<f64>,
    /// Scratch of the term-wise fill of `full`.
    fill: StageFill,
    /// Per agent, the floor payoff of [`restrict_to_available`] (scratch).
    floor: Vec<f64>,
    /// Strategy counts and the current profile of the restriction (scratch).
    walk: Vec<usize>,
    solver: PureNashSolver,
    /// The last two-player stage game whose equilibria were enumerated, and them.
    mixed_cache: Option<(Vec<f64>, Vec<MixedProfile>)>,
    candidates: Vec<MixedProfile>,
}

impl Classifier {
    /// Scratch for `scenario`'s stage game.
    pub fn new(s: &CompiledScenario) -> Self {
        let sizes: Vec<usize> = s.agents.iter().map(|a| a.actions.len()).collect();
        let game = NormalFormGame::new(
            sizes.clone(),
            vec![0.0; sizes.iter().product::<usize>() * sizes.len()],
        )
        .expect("stage game size checked at load");
        Classifier {
            full: game.clone(),
            full_ok: false,
            game,
            floor: vec![0.0; sizes.len()],
            walk: Vec::new(),
            fill: StageFill::default(),
            solver: PureNashSolver::new(),
            mixed_cache: None,
            candidates: Vec::new(),
        }
    }

    /// The equilibrium class of a run's settled play.
    ///
    /// `values[i]` are agent `i`'s term values in the last round under its true type,
    /// `types` every agent's true type (terms reading another agent's type values
    /// count at its true type);
    /// `last` is the last profile played; `history` holds the last `window` profiles
    /// as a ring buffer (`window × agents`, slot `r % window`) and `recorded` counts
    /// the rounds written to it. Writes the empirical action frequencies over the
    /// window into `play` (flat by action offset). With `mask` (the last round's
    /// availability, flat by action offset), the stage game is restricted to the
    /// available actions: see [`restrict_to_available`].
    #[allow(clippy::too_many_arguments)]
    pub fn classify(
        &mut self,
        s: &CompiledScenario,
        d: &Dims,
        values: &[Vec<f64>],
        types: &[usize],
        last: &[usize],
        history: &[usize],
        recorded: u64,
        play: &mut [f64],
        mask: Option<&[bool]>,
    ) -> EquilibriumClass {
        let k = s.agents.len();
        let window = u64::from(s.classification.window);
        window_frequencies(d, k, history, recorded.min(window) as usize, play);
        // The stage game of the last round: each agent's utilities (true type, that
        // round's state) over all action profiles.
        self.full_ok =
            fill_stage_payoffs(s, values, types, self.full.payoffs_mut(), &mut self.fill);
        // A utility formula that evaluates to NaN leaves no game to solve: the play
        // cannot be called an equilibrium.
        if !self.full_ok {
            return EquilibriumClass::NotAnEquilibrium;
        }
        self.game.payoffs_mut().copy_from_slice(self.full.payoffs());
        if let Some(flags) = mask.filter(|f| f.iter().any(|ok| !ok)) {
            restrict_in_place(&mut self.game, d, flags, &mut self.floor, &mut self.walk);
        }
        if window == 1 {
            return self.classify_profile(last);
        }
        // Frequencies over a window: the nearest equilibrium within tolerance. Two
        // players: every equilibrium (extreme ones if the game is degenerate) by exact
        // vertex enumeration; more players: the pure equilibria.
        self.candidates.clear();
        let mixed_ok = k == 2 && self.enumerate_mixed();
        if !mixed_ok {
            self.add_pure_candidates();
        }
        // The cached equilibria are read in place (no copy per run).
        let candidates = match &self.mixed_cache {
            Some((_, eqs)) if mixed_ok => eqs,
            _ => &self.candidates,
        };
        let mut best: Option<(f64, usize)> = None;
        for (c, eq) in candidates.iter().enumerate() {
            let dist = model::play_distance(d, play, eq);
            if dist <= s.classification.tolerance && best.is_none_or(|(b, _)| dist < b) {
                best = Some((dist, c));
            }
        }
        match best {
            None => EquilibriumClass::NotAnEquilibrium,
            Some((_, c)) => self.class_of(&candidates[c]),
        }
    }

    /// The stage game under true types over every declared action, unrestricted, as
    /// filled by the last [`Classifier::classify`]; `None` if a payoff was NaN.
    pub fn full_stage_game(&self) -> Option<&NormalFormGame<f64>> {
        self.full_ok.then_some(&self.full)
    }

    /// The last profile, checked exactly against the pure equilibria.
    fn classify_profile(&mut self, last: &[usize]) -> EquilibriumClass {
        let settled = self.game.profile_index(last);
        if self
            .solver
            .solve(&self.game)
            .binary_search(&settled)
            .is_ok()
        {
            EquilibriumClass::PureNash {
                profile: settled as u64,
            }
        } else {
            EquilibriumClass::NotAnEquilibrium
        }
    }

    /// Every equilibrium of the two-player stage game into the cache (enumerated
    /// once per distinct game); false when the enumeration failed.
    fn enumerate_mixed(&mut self) -> bool {
        let payoffs = self.game.payoffs();
        let cached = matches!(&self.mixed_cache, Some((p, _)) if p.as_slice() == payoffs);
        if !cached {
            let found = brink_solve::twoplayer::game_to_exact(&self.game)
                .and_then(|g| brink_solve::twoplayer::vertex_enumeration(&g));
            self.mixed_cache = found.ok().map(|sol| {
                let eqs = sol
                    .equilibria
                    .iter()
                    .map(|e| {
                        e.strategies
                            .iter()
                            .map(|st| st.iter().map(brink_solve::rational::to_f64).collect())
                            .collect()
                    })
                    .collect();
                (payoffs.to_vec(), eqs)
            });
        }
        self.mixed_cache.is_some()
    }

    /// Adds the pure equilibria, each as a profile of degenerate mixed strategies.
    fn add_pure_candidates(&mut self) {
        let sizes = self.game.strategy_counts().to_vec();
        for &e in self.solver.solve(&self.game) {
            let profile = self.game.profile(e);
            self.candidates.push(
                profile
                    .iter()
                    .zip(&sizes)
                    .map(|(&a, &n)| (0..n).map(|b| f64::from(u8::from(a == b))).collect())
                    .collect(),
            );
        }
    }

    /// The class of the equilibrium `eq`: pure when every support is one action.
    fn class_of(&self, eq: &MixedProfile) -> EquilibriumClass {
        let support = |st: &Vec<f64>| {
            st.iter()
                .enumerate()
                .filter(|(_, p)| **p > 0.0)
                .fold(0u64, |m, (a, _)| m | (1 << a))
        };
        if eq.iter().all(|st| support(st).count_ones() == 1) {
            // The profile's index, as `profile_index` computes it (mixed radix).
            let index: usize = eq
                .iter()
                .enumerate()
                .map(|(i, st)| support(st).trailing_zeros() as usize * self.game.stride(i))
                .sum();
            EquilibriumClass::PureNash {
                profile: index as u64,
            }
        } else {
            EquilibriumClass::MixedNash {
                supports: [support(&eq[0]), support(&eq[1])],
            }
        }
    }
}

/// Writes into `play` the empirical action frequencies over the first `len`
/// profiles of `history` (`k` agents each), flat by action offset.
fn window_frequencies(d: &Dims, k: usize, history: &[usize], len: usize, play: &mut [f64]) {
    play.fill(0.0);
    for r in 0..len {
        for (j, &a) in history[r * k..(r + 1) * k].iter().enumerate() {
            play[d.action_offset[j] + a] += 1.0;
        }
    }
    play.iter_mut().for_each(|x| *x /= len as f64);
}

/// Restricts a stage game to the available actions without changing its shape (so
/// profile indices and class labels stay those of the full game): every profile in
/// which player `i` plays an unavailable action pays `i` the value
/// `L_i = min_i − 1 − (max_i − min_i)`, below every payoff `i` has anywhere, so each
/// unavailable action is strictly dominated by every available one. Removing strictly
/// dominated strategies leaves the set of Nash equilibria (pure and mixed) unchanged,
/// and no equilibrium puts weight on a strictly dominated strategy, so the equilibria
/// of the result are exactly those of the game over the available actions. Every
/// player keeps at least one available action (checked at load).
pub fn restrict_to_available(game: &mut NormalFormGame<f64>, d: &Dims, flags: &[bool]) {
    let (mut floor, mut walk) = (Vec::new(), Vec::new());
    restrict_in_place(game, d, flags, &mut floor, &mut walk);
}

/// [`restrict_to_available`] with the floors in `floor` and the strategy counts and
/// current profile in `walk` (scratch): every entry is rewritten in place from its
/// own value, so no copy of the game is needed.
fn restrict_in_place(
    game: &mut NormalFormGame<f64>,
    d: &Dims,
    flags: &[bool],
    floor: &mut Vec<f64>,
    walk: &mut Vec<usize>,
) {
    let k = game.strategy_counts().len();
    floor.clear();
    for i in 0..k {
        let (lo, hi) = game
            .payoffs()
            .iter()
            .skip(i)
            .step_by(k)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        floor.push(lo - 1.0 - (hi - lo));
    }
    // Walk the profiles in the game's flat order (the last player's action varies
    // fastest, as in `profile_index`), keeping the current profile in `profile`.
    walk.clear();
    walk.extend_from_slice(game.strategy_counts());
    walk.resize(2 * k, 0);
    let (counts, profile) = walk.split_at_mut(k);
    for row in game.payoffs_mut().chunks_exact_mut(k) {
        for (player, slot) in row.iter_mut().enumerate() {
            if !flags[d.action_offset[player] + profile[player]] {
                *slot = floor[player];
            }
        }
        for p in (0..k).rev() {
            profile[p] += 1;
            if profile[p] < counts[p] {
                break;
            }
            profile[p] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The in-place restriction equals the definition: unavailable entries get the
    /// player's floor `min − 1 − (max − min)` over the full game, the rest unchanged.
    #[test]
    fn restriction_in_place_matches_definition() {
        let counts = vec![2usize, 3, 2];
        let k = counts.len();
        let n: usize = counts.iter().product::<usize>() * k;
        let payoffs: Vec<f64> = (0..n).map(|x| ((x * 37 + 11) % 23) as f64 - 7.5).collect();
        let full = NormalFormGame::new(counts.clone(), payoffs).unwrap();
        let d = Dims {
            type_offset: vec![],
            action_offset: vec![0, 2, 5],
            forecast_offset: vec![],
            types: 0,
            actions: 7,
            forecasts: 0,
            value_offset: vec![],
            values: 0,
        };
        let flags = [true, false, false, true, true, true, false];
        let mut game = full.clone();
        restrict_to_available(&mut game, &d, &flags);
        for i in 0..k {
            let col: Vec<f64> = full.payoffs().iter().skip(i).step_by(k).copied().collect();
            let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for a in 0..counts[0] {
                for b in 0..counts[1] {
                    for c in 0..counts[2] {
                        let p = [a, b, c];
                        let want = if flags[d.action_offset[i] + p[i]] {
                            *full.payoff(&p, i)
                        } else {
                            lo - 1.0 - (hi - lo)
                        };
                        assert_eq!(*game.payoff(&p, i), want, "profile {p:?} player {i}");
                    }
                }
            }
        }
    }
}
