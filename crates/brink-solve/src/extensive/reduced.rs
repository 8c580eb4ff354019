//! Conversion of an extensive game to its reduced normal (strategic) form.

use crate::equilibrium::SolveError;
use crate::game::NormalFormGame;
use crate::payoff::Payoff;

use super::{ExtensiveGame, FromQ, Mover};

/// Most reduced strategies of one player, and most profiles, that
/// [`ExtensiveGame::reduced_normal_form`] builds before giving up.
pub const MAX_REDUCED_STRATEGIES: usize = 1 << 20;
/// Most pure profiles of a reduced normal form.
pub const MAX_REDUCED_PROFILES: usize = 1 << 24;

/// One pure strategy of the reduced normal form: a *plan* that names an action
/// at every information set of the player that the plan itself does not
/// exclude, and leaves the others unspecified.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReducedStrategy {
    /// Per information set of the player (in the order of
    /// [`ExtensiveGame::player_infosets`]): the chosen action, or `None` if the
    /// plan never reaches that information set.
    pub actions: Vec<Option<usize>>,
}

/// The reduced normal form of an extensive game, with the plan behind each
/// pure strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct ReducedNormalForm<T> {
    /// The normal-form game: strategy `s` of player `p` is `strategies[p][s]`;
    /// payoffs are expected payoffs over chance.
    pub game: NormalFormGame<T>,
    /// The plans, per player, sorted lexicographically (information sets in
    /// order, "unspecified" before action 0 before action 1 ...).
    pub strategies: Vec<Vec<ReducedStrategy>>,
    /// Readable names of the plans, per player: one entry per information
    /// set, joined by `/`: the action label (its 1-based number if the label
    /// is empty) or `*` where the plan does not reach the information set.
    pub names: Vec<Vec<String>>,
}

type Plan = Vec<Option<u32>>;

impl<T: Payoff + FromQ> ExtensiveGame<T> {
    /// The reduced normal form: one pure strategy per *reduced plan* (choices
    /// at information sets excluded by the player's own earlier choices are
    /// merged), payoffs the chance-expected accumulated payoffs. Works for
    /// any game, with or without perfect recall (with absent-mindedness a plan
    /// picks one action per information set, used at every visit).
    ///
    /// Construction: bottom-up over the tree, the plans of a subtree are the
    /// plans of a player's node's children each extended by the action leading
    /// to it, and for other nodes the consistent unions of one plan per child
    /// (the standard construction; see e.g. von Stengel, *Computing equilibria
    /// for two-person games*, 2002, §3.10). Payoffs: one pass over the tree per
    /// pure profile.
    ///
    /// # Errors
    ///
    /// [`SolveError::Unsupported`] if a player would have more than
    /// [`MAX_REDUCED_STRATEGIES`] plans or there would be more than
    /// [`MAX_REDUCED_PROFILES`] profiles.
    pub fn reduced_normal_form(&self) -> Result<ReducedNormalForm<T>, SolveError> {
        let n = self.num_players();
        let mut strategies = Vec::with_capacity(n);
        for p in 0..n {
            strategies.push(self.plans(p)?);
        }
        let counts: Vec<usize> = strategies.iter().map(Vec::len).collect();
        let mut profiles: usize = 1;
        for &c in &counts {
            profiles = profiles
                .checked_mul(c)
                .filter(|&x| x <= MAX_REDUCED_PROFILES)
                .ok_or_else(|| {
                    SolveError::Unsupported(format!(
                        "the reduced normal form would have more than {MAX_REDUCED_PROFILES} profiles"
                    ))
                })?;
        }
        // Chance probabilities in T, per node: weight of the edge into it.
        let edge_weight: Vec<T> = (0..self.nodes.len())
            .map(|v| match self.parents[v] {
                Some((p, a)) => {
                    let set = &self.infosets[self.nodes[p].infoset.unwrap_or(0)];
                    if set.mover == Mover::Chance {
                        T::from_q(&set.probs[a])
                    } else {
                        T::one()
                    }
                }
                None => T::one(),
            })
            .collect();
        let mut payoffs = Vec::with_capacity(profiles * n);
        let mut reach: Vec<Option<T>> = vec![None; self.nodes.len()];
        let mut profile = vec![0usize; n];
        for _ in 0..profiles {
            let mut total = vec![T::zero(); n];
            reach.iter_mut().for_each(|r| *r = None);
            reach[0] = Some(T::one());
            for v in 0..self.nodes.len() {
                let Some(r) = reach[v].take() else {
                    continue;
                };
                let node = &self.nodes[v];
                if let Some(o) = node.outcome {
                    for (t, x) in total.iter_mut().zip(&self.outcomes[o].payoffs) {
                        *t = t.clone() + r.clone() * x.clone();
                    }
                }
                if let Some(s) = node.infoset {
                    match self.infosets[s].mover {
                        Mover::Chance => {
                            for &c in &node.children {
                                reach[c] = Some(r.clone() * edge_weight[c].clone());
                            }
                        }
                        Mover::Player(p) => {
                            let plan = &strategies[p][profile[p]];
                            let a = plan.actions[self.local_index[s]].ok_or_else(|| {
                                SolveError::Unsupported(
                                    "internal error: a reduced plan does not cover a reachable \
                                     information set"
                                        .into(),
                                )
                            })?;
                            reach[node.children[a]] = Some(r.clone());
                        }
                    }
                }
            }
            payoffs.extend(total);
            // Next profile, last player fastest.
            for p in (0..n).rev() {
                profile[p] += 1;
                if profile[p] < counts[p] {
                    break;
                }
                profile[p] = 0;
            }
        }
        let game = NormalFormGame::new(counts, payoffs)
            .map_err(|e| SolveError::Unsupported(format!("reduced normal form: {e}")))?;
        let names = strategies
            .iter()
            .enumerate()
            .map(|(p, list)| list.iter().map(|s| self.plan_name(p, s)).collect())
            .collect();
        Ok(ReducedNormalForm {
            game,
            strategies,
            names,
        })
    }
}

impl<T> ExtensiveGame<T> {
    /// The reduced plans of `player`, sorted.
    fn plans(&self, player: usize) -> Result<Vec<ReducedStrategy>, SolveError> {
        let k = self.player_infosets[player].len();
        let too_many = || {
            SolveError::Unsupported(format!(
                "player {} has more than {MAX_REDUCED_STRATEGIES} reduced strategies",
                player + 1
            ))
        };
        let mut lists: Vec<Option<Vec<Plan>>> = vec![None; self.nodes.len()];
        for v in (0..self.nodes.len()).rev() {
            let node = &self.nodes[v];
            let list = match node.infoset {
                None => vec![vec![None; k]],
                Some(s) => {
                    let mut child_lists: Vec<Vec<Plan>> = node
                        .children
                        .iter()
                        .map(|&c| lists[c].take().unwrap_or_default())
                        .collect();
                    match self.infosets[s].mover {
                        Mover::Player(p) if p == player => {
                            let i = self.local_index[s];
                            let mut out = Vec::new();
                            for (a, cl) in child_lists.into_iter().enumerate() {
                                let a = a as u32;
                                for mut plan in cl {
                                    match plan[i] {
                                        Some(b) if b != a => continue,
                                        _ => {
                                            plan[i] = Some(a);
                                            out.push(plan);
                                        }
                                    }
                                }
                                if out.len() > MAX_REDUCED_STRATEGIES {
                                    return Err(too_many());
                                }
                            }
                            out
                        }
                        _ => {
                            let mut acc = child_lists.remove(0);
                            for cl in child_lists {
                                let mut next = Vec::new();
                                for x in &acc {
                                    for y in &cl {
                                        if let Some(m) = merge(x, y) {
                                            next.push(m);
                                            if next.len() > MAX_REDUCED_STRATEGIES {
                                                return Err(too_many());
                                            }
                                        }
                                    }
                                }
                                acc = next;
                            }
                            acc
                        }
                    }
                }
            };
            lists[v] = Some(list);
        }
        let mut root: Vec<ReducedStrategy> = lists[0]
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|p| ReducedStrategy {
                actions: p.into_iter().map(|a| a.map(|a| a as usize)).collect(),
            })
            .collect();
        root.sort();
        root.dedup();
        Ok(root)
    }

    fn plan_name(&self, player: usize, plan: &ReducedStrategy) -> String {
        plan.actions
            .iter()
            .zip(&self.player_infosets[player])
            .map(|(a, &s)| match a {
                None => "*".to_string(),
                Some(a) => {
                    let label = &self.infosets[s].actions[*a];
                    if label.is_empty() {
                        (a + 1).to_string()
                    } else {
                        label.clone()
                    }
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Union of two partial plans, or `None` if they disagree somewhere.
fn merge(x: &Plan, y: &Plan) -> Option<Plan> {
    let mut out = x.clone();
    for (o, b) in out.iter_mut().zip(y) {
        match (*o, *b) {
            (_, None) => {}
            (None, Some(b)) => *o = Some(b),
            (Some(a), Some(b)) => {
                if a != b {
                    return None;
                }
            }
        }
    }
    Some(out)
}
