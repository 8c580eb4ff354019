//! The sequence form (von Stengel 1996) and the sequence-form linear program
//! for two-player constant-sum games (Koller, Megiddo & von Stengel 1996).
//!
//! References:
//! - B. von Stengel, "Efficient computation of behavior strategies", *Games
//!   and Economic Behavior* 14 (1996) 220–246.
//! - D. Koller, N. Megiddo, B. von Stengel, "Efficient computation of
//!   equilibria for extensive two-person games", *Games and Economic Behavior*
//!   14 (1996) 247–259.

use std::collections::BTreeMap;

use num_traits::{One, Zero};

use crate::equilibrium::SolveError;
use crate::lp::{LinearProgram, LpOutcome, Relation, solve_exact};
use crate::payoff::Payoff;
use crate::rational::Q;

use super::{ExtensiveGame, FromQ, Mover, accumulate};

/// A sequence of one player: the empty sequence, or the player's last own
/// `(information set, action)` on a path (which, with perfect recall,
/// determines all the player's earlier moves).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sequence {
    /// `None` for the empty sequence; otherwise the (global) information set
    /// and the action taken there.
    pub last: Option<(usize, usize)>,
    /// Index (in the same player's list) of the sequence this one extends; 0
    /// (the empty sequence itself) for the empty sequence.
    pub parent: usize,
}

/// One non-zero entry of the sparse sequence-form payoff tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct SequencePayoff<T> {
    /// One sequence index per player.
    pub sequences: Vec<usize>,
    /// Payoff per player: the sum over nodes whose outcome is reached by
    /// exactly these sequences of chance probability times outcome payoff.
    pub payoffs: Vec<T>,
}

/// The sequence form of an extensive game with perfect recall.
///
/// Player `p`'s *realization plans* are the vectors `x ≥ 0` with
/// `constraints[p] · x = e` where `e = (1, 0, …, 0)`: row 0 says
/// `x[∅] = 1`, and the row of information set `I` says
/// `Σ_a x[σ(I)a] − x[σ(I)] = 0`, with `σ(I)` the parent sequence of `I`.
/// Expected payoffs are multilinear in the realization plans:
/// `u_i = Σ_entries payoffs[i] · Π_p x_p[sequences[p]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceForm<T> {
    /// Per player: sequence 0 is the empty sequence, then for each of the
    /// player's information sets in order (see
    /// [`ExtensiveGame::player_infosets`]) one sequence per action.
    pub sequences: Vec<Vec<Sequence>>,
    /// Per player: index of the first sequence of each own information set
    /// (the sequence of action `a` is `first_sequence[p][i] + a`).
    pub first_sequence: Vec<Vec<usize>>,
    /// Per player: parent sequence of each own information set.
    pub infoset_parent: Vec<Vec<usize>>,
    /// Per player: the constraint matrix (`E` for player 0, `F` for player 1
    /// in the literature), with `1 + #infosets` rows and `#sequences` columns;
    /// entries are 0, 1 or −1.
    pub constraints: Vec<Vec<Vec<T>>>,
    /// The non-zero payoff entries, sorted by sequence tuple.
    pub payoffs: Vec<SequencePayoff<T>>,
}

impl<T: Payoff> SequenceForm<T> {
    /// The dense payoff matrix of `player` in a two-player game: rows are
    /// player 0's sequences, columns player 1's (`A` for `player == 0`, `B`
    /// for `player == 1`).
    ///
    /// # Errors
    ///
    /// [`SolveError::Unsupported`] unless the game has two players;
    /// [`SolveError::InvalidArgument`] if `player > 1`.
    pub fn payoff_matrix(&self, player: usize) -> Result<Vec<Vec<T>>, SolveError> {
        if self.sequences.len() != 2 {
            return Err(SolveError::Unsupported(format!(
                "payoff matrices need two players, the game has {}",
                self.sequences.len()
            )));
        }
        if player > 1 {
            return Err(SolveError::InvalidArgument(format!(
                "player {player} of a two-player game"
            )));
        }
        let mut m = vec![vec![T::zero(); self.sequences[1].len()]; self.sequences[0].len()];
        for e in &self.payoffs {
            m[e.sequences[0]][e.sequences[1]] = e.payoffs[player].clone();
        }
        Ok(m)
    }
}

impl<T: Payoff + FromQ> ExtensiveGame<T> {
    /// The sequence form of the game (any number of players; the payoff
    /// matrices of [`SequenceForm::payoff_matrix`] need two).
    ///
    /// Its size is linear in the size of the tree, unlike the (reduced)
    /// normal form.
    ///
    /// # Errors
    ///
    /// [`SolveError::Unsupported`] if the game does not have perfect recall
    /// (the message says where).
    pub fn sequence_form(&self) -> Result<SequenceForm<T>, SolveError> {
        if let Some(v) = self.perfect_recall_violation() {
            return Err(SolveError::Unsupported(format!(
                "the sequence form needs perfect recall: {v}"
            )));
        }
        let n = self.num_players();
        let mut sequences = Vec::with_capacity(n);
        let mut first_sequence = Vec::with_capacity(n);
        let mut infoset_parent = Vec::with_capacity(n);
        let mut constraints = Vec::with_capacity(n);
        let last = self.last_own_sequences();
        // Sequence index of (infoset, action), per player.
        let mut seq_index: Vec<Vec<usize>> = Vec::with_capacity(self.infosets.len());
        seq_index.resize(self.infosets.len(), Vec::new());
        for (p, own) in self.player_infosets.iter().enumerate() {
            let mut seqs = vec![Sequence {
                last: None,
                parent: 0,
            }];
            let mut firsts = Vec::new();
            for &s in own {
                firsts.push(seqs.len());
                let k = self.infosets[s].actions.len();
                seq_index[s] = (seqs.len()..seqs.len() + k).collect();
                for a in 0..k {
                    seqs.push(Sequence {
                        last: Some((s, a)),
                        parent: 0, // filled below
                    });
                }
            }
            let mut parents = Vec::new();
            for &s in own {
                let parent = match last[self.members[s][0]][p] {
                    None => 0,
                    Some((t, b)) => seq_index[t][b],
                };
                parents.push(parent);
                for &j in &seq_index[s] {
                    seqs[j].parent = parent;
                }
            }
            let mut e = vec![vec![T::zero(); seqs.len()]; 1 + firsts.len()];
            e[0][0] = T::one();
            for (i, &s) in own.iter().enumerate() {
                e[i + 1][parents[i]] = T::zero() - T::one();
                for &j in &seq_index[s] {
                    e[i + 1][j] = T::one();
                }
            }
            sequences.push(seqs);
            first_sequence.push(firsts);
            infoset_parent.push(parents);
            constraints.push(e);
        }
        // Payoffs: every node with an outcome contributes at the sequences
        // leading to it (its own last sequences per player).
        let mut chance: Vec<T> = Vec::with_capacity(self.nodes.len());
        let mut map: BTreeMap<Vec<usize>, Vec<T>> = BTreeMap::new();
        for (v, (node, last_v)) in self.nodes.iter().zip(&last).enumerate() {
            let w = match self.parents[v] {
                None => T::one(),
                Some((p, a)) => {
                    let set = &self.infosets[self.nodes[p].infoset.unwrap_or(0)];
                    if set.mover == Mover::Chance {
                        chance[p].clone() * T::from_q(&set.probs[a])
                    } else {
                        chance[p].clone()
                    }
                }
            };
            if let Some(o) = node.outcome {
                let key: Vec<usize> = last_v
                    .iter()
                    .map(|l| match *l {
                        None => 0,
                        Some((s, a)) => seq_index[s][a],
                    })
                    .collect();
                accumulate(&mut map, key, &w, &self.outcomes[o].payoffs);
            }
            chance.push(w);
        }
        let payoffs = map
            .into_iter()
            .filter(|(_, p)| p.iter().any(|x| !x.is_zero()))
            .map(|(sequences, payoffs)| SequencePayoff { sequences, payoffs })
            .collect();
        Ok(SequenceForm {
            sequences,
            first_sequence,
            infoset_parent,
            constraints,
            payoffs,
        })
    }
}

/// Behaviour strategy of `player` from a realization plan `x`: at information
/// set `I` the probability of action `a` is `x[σ(I)a] / x[σ(I)]`; at
/// information sets the plan never reaches (`x[σ(I)] = 0`) it is uniform.
/// Indexed `[own information set][action]`.
///
/// # Panics
///
/// If `x` is shorter than the player's number of sequences.
pub fn behaviour_from_realization<T: Payoff + FromQ>(
    form: &SequenceForm<T>,
    player: usize,
    x: &[T],
) -> Vec<Vec<T>> {
    let firsts = &form.first_sequence[player];
    let parents = &form.infoset_parent[player];
    let seqs = &form.sequences[player];
    let mut out = Vec::with_capacity(firsts.len());
    for (i, &f) in firsts.iter().enumerate() {
        let end = firsts.get(i + 1).copied().unwrap_or(seqs.len());
        let k = end - f;
        let denom = &x[parents[i]];
        if denom.is_zero() {
            let u = T::from_q(&Q::new(1.into(), (k as i64).into()));
            out.push(vec![u; k]);
        } else {
            out.push((f..end).map(|j| x[j].clone() / denom.clone()).collect());
        }
    }
    out
}

/// Solution of a two-player constant-sum extensive game by the sequence-form
/// LP.
#[derive(Clone, Debug, PartialEq)]
pub struct ZeroSumSequenceSolution {
    /// The value of the game to player 0 (player 1 gets `constant − value`).
    pub value: Q,
    /// The constant sum of the two players' payoffs (0 for zero-sum games).
    pub constant: Q,
    /// An optimal realization plan per player (indexed by sequence).
    pub realization: [Vec<Q>; 2],
    /// The corresponding behaviour strategies, per player, per own
    /// information set, per action (uniform where the plan never reaches).
    pub behaviour: [Vec<Vec<Q>>; 2],
    /// The sequence form the LPs were built from.
    pub form: SequenceForm<Q>,
}

/// Value and optimal strategies of a two-player constant-sum extensive game
/// with perfect recall (imperfect information allowed), by the sequence-form
/// linear programs of Koller, Megiddo & von Stengel (1996), solved exactly
/// with [`crate::lp::solve_exact`].
///
/// Player 0 solves `max q₀` s.t. `Fᵀq − Aᵀx ≤ 0`, `Ex = e`, `x ≥ 0`, `q`
/// free; player 1 solves `min p₀` s.t. `Eᵀp − Ay ≥ 0`, `Fy = f`, `y ≥ 0`, `p`
/// free, where `A` is player 0's sequence-form payoff matrix. Both optimal
/// values equal the value of the game (checked; a mismatch is reported as an
/// error rather than returned). The LPs have size linear in the game tree.
///
/// # Errors
///
/// [`SolveError::Unsupported`] unless the game has two players, constant sum
/// and perfect recall; [`SolveError::NoConvergence`] if the LP solver does not
/// report an optimum.
pub fn solve_zero_sum_sequence_form(
    game: &ExtensiveGame<Q>,
) -> Result<ZeroSumSequenceSolution, SolveError> {
    if game.num_players() != 2 {
        return Err(SolveError::Unsupported(format!(
            "the sequence-form LP needs two players, the game has {}",
            game.num_players()
        )));
    }
    let constant = game.constant_sum().ok_or_else(|| {
        SolveError::Unsupported(
            "the sequence-form LP needs a zero-sum (or constant-sum) game".into(),
        )
    })?;
    let form = game.sequence_form()?;
    let a = form.payoff_matrix(0)?;
    let e = &form.constraints[0];
    let f = &form.constraints[1];
    let (n1, n2) = (form.sequences[0].len(), form.sequences[1].len());
    let (r1, r2) = (e.len(), f.len());
    let neg = |x: &Q| -x.clone();

    // LP 1: variables x (n1, >= 0) then q (r2, free); maximize q0.
    let mut objective = vec![Q::zero(); n1 + r2];
    objective[n1] = Q::one();
    let mut constraints = Vec::with_capacity(r1 + n2);
    for (row, rhs) in e.iter().zip(unit(r1)) {
        let mut c = row.clone();
        c.resize(n1 + r2, Q::zero());
        constraints.push((c, Relation::Eq, rhs));
    }
    for j in 0..n2 {
        let mut c = Vec::with_capacity(n1 + r2);
        c.extend((0..n1).map(|i| neg(&a[i][j])));
        c.extend((0..r2).map(|r| f[r][j].clone()));
        constraints.push((c, Relation::Le, Q::zero()));
    }
    let mut free = vec![false; n1];
    free.resize(n1 + r2, true);
    let lp1 = LinearProgram {
        objective,
        constraints,
        free,
    };
    let (x, v1) = match solve_exact(&lp1) {
        LpOutcome::Optimal { x, value, .. } => (x[..n1].to_vec(), value),
        other => {
            return Err(SolveError::NoConvergence(format!(
                "sequence-form LP of player 1: {}",
                describe(&other)
            )));
        }
    };

    // LP 2: variables y (n2, >= 0) then p (r1, free); maximize -p0.
    let mut objective = vec![Q::zero(); n2 + r1];
    objective[n2] = -Q::one();
    let mut constraints = Vec::with_capacity(r2 + n1);
    for (row, rhs) in f.iter().zip(unit(r2)) {
        let mut c = row.clone();
        c.resize(n2 + r1, Q::zero());
        constraints.push((c, Relation::Eq, rhs));
    }
    for (i, a_row) in a.iter().enumerate() {
        let mut c = Vec::with_capacity(n2 + r1);
        c.extend(a_row.iter().map(neg));
        c.extend((0..r1).map(|r| e[r][i].clone()));
        constraints.push((c, Relation::Ge, Q::zero()));
    }
    let mut free = vec![false; n2];
    free.resize(n2 + r1, true);
    let lp2 = LinearProgram {
        objective,
        constraints,
        free,
    };
    let (y, v2) = match solve_exact(&lp2) {
        LpOutcome::Optimal { x, value, .. } => (x[..n2].to_vec(), -value),
        other => {
            return Err(SolveError::NoConvergence(format!(
                "sequence-form LP of player 2: {}",
                describe(&other)
            )));
        }
    };
    if v1 != v2 {
        return Err(SolveError::NoConvergence(format!(
            "the two sequence-form LPs disagree on the value ({v1} vs {v2})"
        )));
    }
    let behaviour = [
        behaviour_from_realization(&form, 0, &x),
        behaviour_from_realization(&form, 1, &y),
    ];
    Ok(ZeroSumSequenceSolution {
        value: v1,
        constant,
        realization: [x, y],
        behaviour,
        form,
    })
}

/// `(1, 0, 0, …)` of length `k`.
fn unit(k: usize) -> Vec<Q> {
    let mut u = vec![Q::zero(); k];
    if let Some(first) = u.first_mut() {
        *first = Q::one();
    }
    u
}

fn describe(outcome: &LpOutcome<Q>) -> &'static str {
    match outcome {
        LpOutcome::Optimal { .. } => "optimal",
        LpOutcome::Infeasible => "infeasible (internal error)",
        LpOutcome::Unbounded => "unbounded (internal error)",
    }
}
