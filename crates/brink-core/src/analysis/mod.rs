//! Equilibrium analysis of a run's settled play beyond the pure-Nash class
//! (`docs/SCENARIO.md` §11): regret (ε) under true types and under the agents'
//! interim beliefs, the Bayesian-Nash class, the logit-QRE class and whether each
//! agent's last action was deliberate (a best reply under its beliefs).
//!
//! Everything here reads the world once, at the end of a run; nothing in a round
//! changes. Every concept's stage game is built by [`stage::fill_stage_game`] over
//! each agent's [`stage::ActionSets`].

pub mod bayes;
pub mod qre;
pub mod regret;
pub mod stage;

use brink_solve::NormalFormGame;

use crate::model::{self, Dims};
use crate::run_result::{BayesNashClass, QreClass, RunAnalysis};
use crate::scenario::CompiledScenario;
use stage::ActionSets;

/// What the analysis needs of one agent at the end of a run.
#[derive(Clone, Debug, Default)]
pub struct AgentEnd {
    /// Term values of every type, `[type][term]`, in the last round's state.
    pub values: Vec<f64>,
    /// Beliefs over every agent's types (flat at [`Dims::type_offset`]).
    pub beliefs: Vec<f64>,
    /// The value the decision rule used for each action in the last round.
    pub expected: Vec<f64>,
    /// The last round's choice probabilities.
    pub policy: Vec<f64>,
}

/// Scratch and caches of the analysis, reused across runs (one per engine).
pub struct Analyzer {
    sets: ActionSets,
    nash: NormalFormGame<f64>,
    actions: Vec<usize>,
    /// Per agent, filled by the engine before [`Analyzer::analyse`].
    pub agents: Vec<AgentEnd>,
    all_values: Vec<f64>,
    weights: Vec<f64>,
    realised: Vec<Vec<usize>>,
    bayes: bayes::Scratch,
    qre: qre::QreCache,
    lambdas: Vec<f64>,
    mixed: Vec<Vec<f64>>,
    regret_scratch: Vec<f64>,
    /// Scratch of the pure regret (the last profile as strategy positions).
    positions: Vec<usize>,
    /// Stage games of the other shapes seen (masks), for reuse.
    spare: Vec<NormalFormGame<f64>>,
    /// Whether some utility term reads another agent's type values.
    interdependent: bool,
}

impl Analyzer {
    /// Scratch for `s`.
    pub fn new(s: &CompiledScenario, d: &Dims) -> Self {
        let sets = ActionSets::all(s);
        let nash = stage::empty_game(&sets.sizes());
        Analyzer {
            nash,
            actions: Vec::new(),
            agents: s
                .agents
                .iter()
                .map(|a| AgentEnd {
                    values: vec![0.0; a.types.len() * a.terms.len()],
                    beliefs: vec![0.0; d.types],
                    expected: vec![0.0; a.actions.len()],
                    policy: vec![0.0; a.actions.len()],
                })
                .collect(),
            all_values: vec![0.0; d.values],
            weights: vec![0.0; d.types * s.agents.len()],
            realised: vec![Vec::new(); s.agents.len()],
            bayes: bayes::Scratch::default(),
            qre: qre::QreCache::default(),
            lambdas: vec![f64::INFINITY; s.agents.len()],
            mixed: s
                .agents
                .iter()
                .map(|a| vec![0.0; a.actions.len()])
                .collect(),
            regret_scratch: Vec::new(),
            positions: Vec::new(),
            spare: Vec::new(),
            interdependent: s.has_interdependent_values(),
            sets,
        }
    }

    /// Restricts every concept's stage game to the actions `mask` (the last round's
    /// availability, flat by action offset) marks available, or to all actions
    /// without a mask; sets each agent's QRE precision to its realised type's λ.
    fn prepare(&mut self, s: &CompiledScenario, d: &Dims, types: &[usize], mask: Option<&[bool]>) {
        for (i, (set, a)) in self.sets.sets.iter_mut().zip(&s.agents).enumerate() {
            let n = a.actions.len();
            set.clear();
            match mask.map(|m| &m[d.action_offset[i]..][..n]) {
                // An agent with nothing available keeps every action (no stage game
                // has an empty strategy set).
                Some(m) if m.iter().any(|&ok| ok) => {
                    set.extend((0..n).filter(|&k| m[k]));
                }
                _ => set.extend(0..n),
            }
            self.lambdas[i] = crate::scenario::logit_lambda(a, types[i]).unwrap_or(f64::INFINITY);
        }
        // A game of another shape (another mask): one kept from an earlier run if
        // there is one (every payoff is refilled before it is read), so that a warm
        // analyser does not allocate.
        let sets = &self.sets.sets;
        let fits = |g: &NormalFormGame<f64>| {
            g.strategy_counts()
                .iter()
                .copied()
                .eq(sets.iter().map(Vec::len))
        };
        if !fits(&self.nash) {
            let next = match self.spare.iter().position(fits) {
                Some(k) => self.spare.swap_remove(k),
                None => stage::empty_game(&self.sets.sizes()),
            };
            self.spare.push(std::mem::replace(&mut self.nash, next));
        }
    }

    /// The analysis of a run that ended with profile `last`, agents of `types`;
    /// `play` holds the window's empirical frequencies (flat by action offset);
    /// `mask` is the last round's availability (None without masks): every concept's
    /// stage game is over the available actions only. [`Analyzer::agents`] must hold
    /// the last round's data. `full` is the stage game under true types over every
    /// declared action when the caller has already filled it without a NaN; with
    /// `None` the game is filled here.
    #[allow(clippy::too_many_arguments)]
    pub fn analyse(
        &mut self,
        s: &CompiledScenario,
        d: &Dims,
        types: &[usize],
        last: &[usize],
        play: &[f64],
        mask: Option<&[bool]>,
        full: Option<&NormalFormGame<f64>>,
    ) -> RunAnalysis {
        self.prepare(s, d, types, mask);
        let c = &s.classification;
        let windowed = c.window > 1;
        for (i, a) in self.agents.iter().enumerate() {
            self.all_values[d.value_offset[i]..][..a.values.len()].copy_from_slice(&a.values);
            self.weights[i * d.types..(i + 1) * d.types].copy_from_slice(&a.beliefs);
        }
        // The stage game under true types.
        let (agents, sets) = (&self.agents, &self.sets);
        let filled = match full {
            // The same payoffs as a fill (the game over every declared action was
            // filled from the same term values): gathered.
            Some(game) => {
                let actions = &mut self.actions;
                actions.resize(sets.sets.len(), 0);
                let _ = self.nash.reset_from_fn(|profile, player| {
                    for (slot, (&k, set)) in actions.iter_mut().zip(profile.iter().zip(&sets.sets))
                    {
                        *slot = set[k];
                    }
                    *game.payoff(actions, player)
                });
                true
            }
            None => stage::fill_stage_game(&mut self.nash, sets, &mut self.actions, |p, i| {
                let n = s.agents[i].terms.len();
                model::utility_at(
                    &s.agents[i],
                    &agents[i].values[types[i] * n..][..n],
                    p,
                    types,
                )
            })
            .is_ok(),
        };
        for (j, (m, set)) in self.mixed.iter_mut().zip(&self.sets.sets).enumerate() {
            let off = d.action_offset[j];
            m.clear();
            m.extend(set.iter().map(|&a| {
                if windowed {
                    play[off + a]
                } else {
                    f64::from(u8::from(a == last[j]))
                }
            }));
            // Under a mask, the window's play of actions no longer available is
            // dropped and the rest renormalised (no-op without a mask).
            if windowed && set.len() < s.agents[j].actions.len() {
                let total: f64 = m.iter().sum();
                if total > 0.0 {
                    m.iter_mut().for_each(|x| *x /= total);
                }
            }
        }
        let regret_true = if !filled {
            f64::NAN
        } else if windowed {
            regret::mixed_regret(&self.nash, &self.mixed, &mut self.regret_scratch)
        } else {
            regret::pure_regret(&self.nash, &self.sets, last, &mut self.positions)
        };
        let mut regret_interim = 0.0f64;
        let mut deliberate = 0u64;
        for (i, a) in self.agents.iter().enumerate() {
            let r = if windowed {
                regret::interim_regret_mixed(
                    &a.expected,
                    &play[d.action_offset[i]..][..a.expected.len()],
                )
            } else {
                regret::interim_regret(&a.expected, last[i])
            };
            regret_interim = if r.is_nan() { r } else { regret_interim.max(r) };
            if i < 64 && regret::is_deliberate(&a.expected, last[i]) {
                deliberate |= 1 << i;
            }
        }
        let bayes_nash = c.concepts.bayes_nash.then(|| {
            for (i, r) in self.realised.iter_mut().enumerate() {
                r.clear();
                if windowed {
                    let off = d.action_offset[i];
                    r.extend(self.sets.sets[i].iter().copied().filter(|&a| {
                        pure_distance(&play[off..off + s.agents[i].actions.len()], a) <= c.tolerance
                    }));
                } else {
                    r.push(last[i]);
                }
            }
            let form = bayes::TypeForm {
                s,
                d,
                sets: &self.sets,
                values: &self.all_values,
                weights: &self.weights,
                interdependent: self.interdependent,
            };
            match form.matching_equilibrium(types, &self.realised, &mut self.bayes) {
                Some(profile) => BayesNashClass::Equilibrium { profile },
                None => BayesNashClass::NotAnEquilibrium,
            }
        });
        let mut qre_distance = f64::NAN;
        let qre = c.concepts.qre.then(|| {
            let eq = if filled {
                self.qre.solve(&self.nash, &self.lambdas)
            } else {
                None
            };
            let Some(eq) = eq else {
                return QreClass::NotQre;
            };
            let mut dist = 0.0f64;
            for (j, st) in eq.iter().enumerate() {
                for (k, &p) in st.iter().enumerate() {
                    let a = self.sets.sets[j][k];
                    let q = if windowed {
                        play[d.action_offset[j] + a]
                    } else {
                        self.agents[j].policy[a]
                    };
                    dist = dist.max((q - p).abs());
                }
            }
            qre_distance = dist;
            if dist <= c.qre_tolerance {
                QreClass::Qre
            } else {
                QreClass::NotQre
            }
        });
        RunAnalysis {
            regret_true,
            regret_interim,
            bayes_nash,
            qre,
            qre_distance,
            deliberate,
        }
    }
}

/// Max-norm distance between one agent's frequencies `freq` and the pure strategy `a`.
fn pure_distance(freq: &[f64], a: usize) -> f64 {
    freq.iter()
        .enumerate()
        .map(|(b, &f)| (f - f64::from(u8::from(a == b))).abs())
        .fold(0.0, f64::max)
}
