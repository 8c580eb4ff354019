//! Pure Bayesian-Nash equilibria of the stage game in agent-type form.
//!
//! Each (agent, type) pair is a player whose strategies are the agent's actions.
//! Player `(i, t)` is paid `i`'s utility under type `t`, in expectation over the
//! other agents' types weighted by **agent `i`'s posterior** at the last round (the
//! beliefs its last decision used; an agent's beliefs do not depend on its own type,
//! so all of `i`'s types share them), the other agents playing their type-contingent
//! actions. With independent beliefs over the others' types this expectation is the
//! expected utility against each other agent's marginal play
//! `m_j(a) = Σ_t w_i(j, t) [σ(j, t) = a]`, exactly [`model::expected_utilities`].
//!
//! Players are ordered agent by agent, types in declaration order; profiles of the
//! agent-type form are numbered in mixed radix, first player most significant.

use brink_solve::PureNashSolver;

use super::stage::ActionSets;
use crate::model::{self, Dims};
use crate::scenario::CompiledScenario;

/// What the agent-type form is built from in one run.
pub struct TypeForm<'a> {
    /// The scenario.
    pub s: &'a CompiledScenario,
    /// Buffer offsets.
    pub d: &'a Dims,
    /// The actions each agent may play.
    pub sets: &'a ActionSets,
    /// Every agent's term values for every type, `[type][term]` at
    /// [`Dims::value_offset`].
    pub values: &'a [f64],
    /// Each agent's beliefs over every agent's types, `weights[i * d.types + k]`
    /// (`k` at [`Dims::type_offset`]); agent `i`'s own block is ignored.
    pub weights: &'a [f64],
    /// Whether some utility term reads another agent's type values: then such a term
    /// of player `(i, t)` weighs each other agent's type by `i`'s beliefs *and* the
    /// action that type plays in the profile (the exact interim expectation).
    pub interdependent: bool,
}

/// Scratch of the best-reply checks.
#[derive(Default)]
pub struct Scratch {
    marginals: Vec<f64>,
    /// Per-type play `[agent][type][action]` (forecast layout), for interdependent terms.
    typed: Vec<f64>,
    eu: Vec<f64>,
    /// The search's players, whether each is realised, position and profile.
    players: Vec<(usize, usize)>,
    realised: Vec<bool>,
    pos: Vec<usize>,
    sigma: Vec<usize>,
}

impl TypeForm<'_> {
    /// The players `(agent, type)`, in order.
    pub fn players(&self) -> Vec<(usize, usize)> {
        let mut players = Vec::new();
        self.players_into(&mut players);
        players
    }

    /// [`TypeForm::players`] into `players`, reusing its buffer.
    fn players_into(&self, players: &mut Vec<(usize, usize)>) {
        players.clear();
        players.extend(
            self.s
                .agents
                .iter()
                .enumerate()
                .flat_map(|(i, a)| (0..a.types.len()).map(move |t| (i, t))),
        );
    }

    /// Expected utility of each declared action of player `(i, t)` when the others
    /// play `sigma` (declared action per player), into `sc.eu`.
    fn utilities(
        &self,
        players: &[(usize, usize)],
        sigma: &[usize],
        i: usize,
        t: usize,
        sc: &mut Scratch,
    ) {
        let (s, d) = (self.s, self.d);
        sc.marginals.clear();
        sc.marginals.resize(d.actions, 0.0);
        for (&(j, tj), &a) in players.iter().zip(sigma) {
            if j != i {
                sc.marginals[d.action_offset[j] + a] +=
                    self.weights[i * d.types + d.type_offset[j] + tj];
            }
        }
        if self.interdependent {
            sc.typed.clear();
            sc.typed.resize(d.forecasts, 0.0);
            for (&(j, tj), &a) in players.iter().zip(sigma) {
                let n = s.agents[j].actions.len();
                sc.typed[d.forecast_offset[j] + tj * n + a] = 1.0;
            }
        }
        let nterms = s.agents[i].terms.len();
        let v = &self.values[d.value_offset[i] + t * nterms..][..nterms];
        sc.eu.resize(s.agents[i].actions.len(), 0.0);
        let view = model::TypeView {
            weights: &self.weights[i * d.types..(i + 1) * d.types],
            play: self.interdependent.then_some(&sc.typed[..]),
        };
        model::expected_utilities(s, d, i, v, &sc.marginals, &view, &mut sc.eu);
    }

    /// Whether player `p` plays a best reply (weakly, exact comparisons, over its
    /// available actions) in `sigma`. False when a utility is NaN.
    fn best_reply(
        &self,
        players: &[(usize, usize)],
        sigma: &[usize],
        p: usize,
        sc: &mut Scratch,
    ) -> bool {
        let (i, t) = players[p];
        self.utilities(players, sigma, i, t, sc);
        let own = sc.eu[sigma[p]];
        !own.is_nan() && self.sets.sets[i].iter().all(|&b| sc.eu[b] <= own)
    }

    /// Every pure Bayesian-Nash equilibrium, enumerated exactly by `brink-solve`'s
    /// pure-Nash solver on the full agent-type form, as declared actions per player,
    /// in profile order. Cost: the agent-type form's size; classification uses
    /// [`TypeForm::matching_equilibrium`] instead.
    pub fn equilibria(&self) -> Vec<Vec<usize>> {
        let players = self.players();
        let sizes: Vec<usize> = players
            .iter()
            .map(|&(i, _)| self.sets.sets[i].len())
            .collect();
        let mut game = super::stage::empty_game(&sizes);
        let mut sigma = vec![0; players.len()];
        let mut sc = Scratch::default();
        let filled = game.reset_from_fn(|profile, p| {
            for (q, (&k, &(i, _))) in profile.iter().zip(&players).enumerate() {
                sigma[q] = self.sets.sets[i][k];
            }
            let (i, t) = players[p];
            self.utilities(&players, &sigma, i, t, &mut sc);
            sc.eu[sigma[p]]
        });
        if filled.is_err() {
            return Vec::new();
        }
        let mut solver = PureNashSolver::new();
        solver
            .solve(&game)
            .iter()
            .map(|&e| {
                game.profile(e)
                    .iter()
                    .zip(&players)
                    .map(|(&k, &(i, _))| self.sets.sets[i][k])
                    .collect()
            })
            .collect()
    }

    /// The first (in profile order) pure Bayesian-Nash equilibrium whose strategies
    /// at the realised `types` are among `realised[i]` (declared actions, increasing),
    /// as its profile index; None if there is none.
    ///
    /// Exact and equal to filtering [`TypeForm::equilibria`]: only profiles that fix
    /// the realised players' actions are searched, each checked for a best reply of
    /// every player over all its actions.
    pub fn matching_equilibrium(
        &self,
        types: &[usize],
        realised: &[Vec<usize>],
        sc: &mut Scratch,
    ) -> Option<u64> {
        // The search's buffers are taken out of the scratch (the best-reply checks
        // borrow it) and put back at the end: no allocation once warm.
        let mut players = std::mem::take(&mut sc.players);
        let mut is_realised = std::mem::take(&mut sc.realised);
        let mut pos = std::mem::take(&mut sc.pos);
        let mut sigma = std::mem::take(&mut sc.sigma);
        self.players_into(&mut players);
        is_realised.clear();
        is_realised.extend(players.iter().map(|&(i, t)| t == types[i]));
        let choices = |p: usize| -> &[usize] {
            let i = players[p].0;
            if is_realised[p] {
                realised[i].as_slice()
            } else {
                self.sets.sets[i].as_slice()
            }
        };
        let found = if (0..players.len()).any(|p| choices(p).is_empty()) {
            None
        } else {
            pos.clear();
            pos.resize(players.len(), 0);
            sigma.clear();
            sigma.extend((0..players.len()).map(|p| choices(p)[0]));
            // The player whose best reply failed last is checked first: it often
            // fails again, and the order of the checks does not change their
            // conjunction.
            let mut first = 0;
            'search: loop {
                let failed = std::iter::once(first)
                    .chain((0..players.len()).filter(|&p| p != first))
                    .find(|&p| !self.best_reply(&players, &sigma, p, sc));
                match failed {
                    None => break 'search Some(self.profile_index(&players, &sigma)),
                    Some(p) => first = p,
                }
                // Next profile, last player fastest.
                let mut p = players.len();
                loop {
                    if p == 0 {
                        break 'search None;
                    }
                    p -= 1;
                    pos[p] += 1;
                    if pos[p] < choices(p).len() {
                        sigma[p] = choices(p)[pos[p]];
                        break;
                    }
                    pos[p] = 0;
                    sigma[p] = choices(p)[0];
                }
            }
        };
        sc.players = players;
        sc.realised = is_realised;
        sc.pos = pos;
        sc.sigma = sigma;
        found
    }

    /// Index of `sigma` (declared actions per player) in the agent-type form.
    pub fn profile_index(&self, players: &[(usize, usize)], sigma: &[usize]) -> u64 {
        players.iter().zip(sigma).fold(0u64, |acc, (&(i, _), &a)| {
            let set = &self.sets.sets[i];
            acc * set.len() as u64 + set.iter().position(|&b| b == a).unwrap_or(0) as u64
        })
    }
}

/// Number of actions of each player of the agent-type form of `s`, in player order.
pub fn agent_type_sizes(s: &CompiledScenario) -> Vec<usize> {
    s.agents
        .iter()
        .flat_map(|a| std::iter::repeat_n(a.actions.len(), a.types.len()))
        .collect()
}
