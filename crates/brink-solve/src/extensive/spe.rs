//! Backward induction: pure subgame-perfect equilibria of games with perfect
//! information (Kuhn 1953; Selten 1965 for subgame perfection).

use crate::equilibrium::SolveError;
use crate::payoff::Payoff;

use super::{ExtensiveGame, FromQ, Mover};

/// A pure subgame-perfect equilibrium of a perfect-information game.
#[derive(Clone, Debug, PartialEq)]
pub struct SubgamePerfect<T> {
    /// The action chosen at every information set (indexed by global
    /// information-set id); `None` for chance information sets. With perfect
    /// information each player information set is one decision node.
    pub choices: Vec<Option<usize>>,
    /// Each player's expected payoff (over chance) at the root.
    pub payoffs: Vec<T>,
}

impl<T: Payoff + FromQ> SubgamePerfect<T> {
    /// The equilibrium as a behaviour profile: per player, per own
    /// information set (in the order of [`ExtensiveGame::player_infosets`]),
    /// per action, probability 1 on the chosen action and 0 elsewhere.
    pub fn behaviour<U>(&self, game: &ExtensiveGame<U>) -> Vec<Vec<Vec<T>>> {
        (0..game.num_players())
            .map(|p| {
                game.player_infosets(p)
                    .iter()
                    .map(|&s| {
                        let k = game.infosets()[s].actions.len();
                        (0..k)
                            .map(|a| {
                                if self.choices[s] == Some(a) {
                                    T::one()
                                } else {
                                    T::zero()
                                }
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }
}

/// All (or the first `limit`) pure subgame-perfect equilibria.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeEnumeration<T> {
    /// The equilibria, in the order described at
    /// [`subgame_perfect_equilibria`].
    pub equilibria: Vec<SubgamePerfect<T>>,
    /// Whether the enumeration stopped at the limit (more equilibria exist).
    pub truncated: bool,
}

fn require_perfect_information<T>(game: &ExtensiveGame<T>) -> Result<(), SolveError> {
    if game.is_perfect_information() {
        Ok(())
    } else {
        Err(SolveError::Unsupported(
            "backward induction needs perfect information (every player information set \
             a single node)"
                .into(),
        ))
    }
}

/// One pure subgame-perfect equilibrium by backward induction, breaking ties
/// in favour of the **lowest-numbered action** among a mover's best actions.
/// Chance nodes take expectations. Linear in the size of the tree; ties are
/// compared exactly (use rationals for games with exact ties).
///
/// # Errors
///
/// [`SolveError::Unsupported`] if the game does not have perfect information.
pub fn backward_induction<T: Payoff + FromQ>(
    game: &ExtensiveGame<T>,
) -> Result<SubgamePerfect<T>, SolveError> {
    let mut all = subgame_perfect_equilibria(game, 1)?;
    all.equilibria.pop().ok_or_else(|| {
        SolveError::Unsupported("internal error: backward induction found nothing".into())
    })
}

/// Pure subgame-perfect equilibria of a perfect-information game, at most
/// `limit` of them (`limit == 0` is treated as 1).
///
/// Every pure SPE is found by backward induction: in each subgame the mover
/// picks any action that is best given the equilibrium continuation chosen in
/// every subgame below. The equilibria are listed in lexicographic order of
/// the choices at the decision nodes in prefix order (lowest action first), so
/// the first one is the one [`backward_induction`] returns. The number of SPE
/// can be exponential in the tree size (one factor per tie); the enumeration
/// stops at `limit` and says so in [`SpeEnumeration::truncated`].
///
/// # Errors
///
/// [`SolveError::Unsupported`] if the game does not have perfect information.
pub fn subgame_perfect_equilibria<T: Payoff + FromQ>(
    game: &ExtensiveGame<T>,
    limit: usize,
) -> Result<SpeEnumeration<T>, SolveError> {
    require_perfect_information(game)?;
    let limit = limit.max(1);
    let nodes = game.nodes();
    let n = game.num_players();
    let mut truncated = false;
    // Per node: list of (payoff vector, action if player node, indices into
    // the children's lists). Lists are built bottom-up and kept for the final
    // reconstruction.
    struct Entry<T> {
        payoffs: Vec<T>,
        action: Option<usize>,
        picks: Vec<u32>,
    }
    let mut lists: Vec<Vec<Entry<T>>> = (0..nodes.len()).map(|_| Vec::new()).collect();
    for v in (0..nodes.len()).rev() {
        let node = &nodes[v];
        let own: Vec<T> = match node.outcome {
            Some(o) => game.outcomes()[o].payoffs.clone(),
            None => vec![T::zero(); n],
        };
        let Some(s) = node.infoset else {
            lists[v] = vec![Entry {
                payoffs: own,
                action: None,
                picks: Vec::new(),
            }];
            continue;
        };
        let set = &game.infosets()[s];
        // Enumerate combinations of children's entries (first child slowest).
        let sizes: Vec<usize> = node.children.iter().map(|&c| lists[c].len()).collect();
        let mut combo = vec![0usize; sizes.len()];
        let mut out: Vec<Entry<T>> = Vec::new();
        'combos: loop {
            match set.mover {
                Mover::Chance => {
                    let mut total = own.clone();
                    for (k, &c) in node.children.iter().enumerate() {
                        let w = T::from_q(&set.probs[k]);
                        for (t, x) in total.iter_mut().zip(&lists[c][combo[k]].payoffs) {
                            *t = t.clone() + w.clone() * x.clone();
                        }
                    }
                    out.push(Entry {
                        payoffs: total,
                        action: None,
                        picks: combo.iter().map(|&i| i as u32).collect(),
                    });
                }
                Mover::Player(p) => {
                    let values: Vec<&T> = node
                        .children
                        .iter()
                        .enumerate()
                        .map(|(k, &c)| &lists[c][combo[k]].payoffs[p])
                        .collect();
                    let mut best = values[0];
                    for &x in &values[1..] {
                        if x > best {
                            best = x;
                        }
                    }
                    for (a, &x) in values.iter().enumerate() {
                        if x.partial_cmp(best) == Some(core::cmp::Ordering::Less) {
                            continue;
                        }
                        if out.len() >= limit {
                            truncated = true;
                            break;
                        }
                        let child = &lists[node.children[a]][combo[a]];
                        let total = own
                            .iter()
                            .zip(&child.payoffs)
                            .map(|(o, c)| o.clone() + c.clone())
                            .collect();
                        out.push(Entry {
                            payoffs: total,
                            action: Some(a),
                            picks: combo.iter().map(|&i| i as u32).collect(),
                        });
                    }
                }
            }
            let last_combo = combo.iter().zip(&sizes).all(|(&i, &k)| i + 1 == k);
            if out.len() >= limit {
                // Every further combination would add at least one entry.
                truncated |= !last_combo;
                break 'combos;
            }
            // Next combination, last child fastest.
            let mut k = sizes.len();
            loop {
                if k == 0 {
                    break 'combos;
                }
                k -= 1;
                combo[k] += 1;
                if combo[k] < sizes[k] {
                    break;
                }
                combo[k] = 0;
            }
        }
        lists[v] = out;
    }
    // Reconstruct each root entry's choices.
    let mut equilibria = Vec::with_capacity(lists[0].len());
    for (i, root) in lists[0].iter().enumerate() {
        let mut choices = vec![None; game.infosets().len()];
        let mut stack = vec![(0usize, i)];
        while let Some((v, e)) = stack.pop() {
            let entry = &lists[v][e];
            if let Some(s) = nodes[v].infoset {
                choices[s] = entry.action;
            }
            for (k, &c) in nodes[v].children.iter().enumerate() {
                stack.push((c, entry.picks[k] as usize));
            }
        }
        equilibria.push(SubgamePerfect {
            choices,
            payoffs: root.payoffs.clone(),
        });
    }
    Ok(SpeEnumeration {
        equilibria,
        truncated,
    })
}
