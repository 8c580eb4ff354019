//! Extensive-form games: finite game trees with chance moves, information
//! sets and payoffs, and the algorithms that work on them.
//!
//! # The model
//!
//! An [`ExtensiveGame<T>`] is a rooted tree stored as an arena of [`Node`]s in
//! depth-first **prefix order** (node 0 is the root; every node comes before
//! its children, and the subtree of a node's first child comes before the
//! subtree of its second child, as in Gambit's `.efg` files):
//!
//! - a *decision node* belongs to an [`Infoset`] (information set) of a player
//!   ([`Mover::Player`]) or of chance ([`Mover::Chance`]); it has one child per
//!   action of its information set, in action order;
//! - a *terminal node* has no information set and no children;
//! - any node may carry an [`Outcome`] (a payoff vector, one entry per player);
//!   the payoff of a play is the **sum of the outcomes along its path** (as in
//!   Gambit; most games attach outcomes only to terminal nodes).
//!
//! Chance probabilities are exact rationals ([`Q`]) whatever the payoff type
//! `T`; algorithms that weight payoffs by chance probabilities convert them
//! with [`FromQ`]. Information sets are numbered in order of first
//! encounter in the prefix traversal, so "a player's information sets in
//! order" means depth-first order, as in Gambit's behaviour-profile output.
//!
//! # Building games
//!
//! - [`ExtensiveGame::from_tree`] from a nested [`Tree`] value (convenient by
//!   hand; information sets are named by `(player, label)`);
//! - [`ExtensiveGame::from_parts`] from an arena ([`ExtensiveParts`]), which
//!   is what the file readers in [`crate::formats`] use.
//!
//! Both validate the game completely (see [`TreeError`]): it is a tree, every
//! decision node has one child per action, all nodes of an information set
//! belong to the same player and share the action labels (by construction:
//! nodes refer to their information set), chance probabilities are
//! non-negative and sum to exactly one, payoff vectors have one entry per
//! player and no NaN, and every information set has at least one node.
//!
//! # Algorithms
//!
//! - [`ExtensiveGame::reduced_normal_form`]: the reduced strategic form (plans
//!   with choices at information sets made unreachable by the player's own
//!   earlier choices left unspecified);
//! - [`ExtensiveGame::sequence_form`]: sequences, constraint matrices `E`, `F`
//!   and sparse payoffs (von Stengel 1996), requires perfect recall;
//! - [`backward_induction`] and [`subgame_perfect_equilibria`]: pure
//!   subgame-perfect equilibria of perfect-information games;
//! - [`solve_zero_sum_sequence_form`]: value and optimal strategies of
//!   two-player constant-sum games with imperfect information by the
//!   sequence-form linear program (Koller, Megiddo & von Stengel 1996), exact
//!   in rationals.
//!
//! ```
//! use brink_solve::extensive::{ExtensiveGame, Tree, backward_induction};
//! use brink_solve::rational::qi;
//!
//! // Entry deterrence: out (0, 2), or in and then fight (-1, -1) or accommodate (1, 1).
//! let t = Tree::decision(0, "entrant", vec![
//!     ("out", Tree::terminal(vec![qi(0), qi(2)])),
//!     ("in", Tree::decision(1, "incumbent", vec![
//!         ("fight", Tree::terminal(vec![qi(-1), qi(-1)])),
//!         ("accommodate", Tree::terminal(vec![qi(1), qi(1)])),
//!     ])),
//! ]);
//! let g = ExtensiveGame::from_tree(vec!["E".into(), "I".into()], t).unwrap();
//! let spe = backward_induction(&g).unwrap();
//! assert_eq!(spe.choices, vec![Some(1), Some(1)]);
//! assert_eq!(spe.payoffs, vec![qi(1), qi(1)]);
//! assert_eq!(g.reduced_normal_form().unwrap().game.strategy_counts(), &[2, 2]);
//! ```
//!
//! Every algorithm is iterative over the prefix order (no recursion on the tree
//! depth), so deep trees cannot overflow the stack.

use std::collections::{BTreeMap, HashMap};

use num_traits::{One, Signed, Zero};

use crate::payoff::{Payoff, is_comparable};
use crate::rational::Q;

mod reduced;
mod sequence;
mod spe;
mod tree;

pub use reduced::{ReducedNormalForm, ReducedStrategy};
pub use sequence::{
    Sequence, SequenceForm, SequencePayoff, ZeroSumSequenceSolution, behaviour_from_realization,
    solve_zero_sum_sequence_form,
};
pub use spe::{SpeEnumeration, SubgamePerfect, backward_induction, subgame_perfect_equilibria};
pub use tree::{Tree, TreeError};

/// Conversion from an exact rational, used to weight payoffs of type `T` by
/// chance probabilities (which are always exact [`Q`]).
///
/// Implemented for `f64` (nearest double) and for [`Q`] itself (exact).
pub trait FromQ {
    /// The value of `q` in this number type.
    fn from_q(q: &Q) -> Self;
}

impl FromQ for f64 {
    fn from_q(q: &Q) -> Self {
        crate::rational::to_f64(q)
    }
}

impl FromQ for Q {
    fn from_q(q: &Q) -> Self {
        q.clone()
    }
}

/// Who moves at an information set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mover {
    /// Nature: actions are drawn with the information set's fixed
    /// probabilities.
    Chance,
    /// Player `p` (0-based).
    Player(usize),
}

/// An information set: a set of decision nodes of one mover that the mover
/// cannot tell apart, sharing one list of actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Infoset {
    /// Who moves here.
    pub mover: Mover,
    /// Free-form label (may be empty).
    pub label: String,
    /// Action labels, in order; child `a` of every member node follows action `a`.
    pub actions: Vec<String>,
    /// Chance probabilities, one per action (exact). Empty for players.
    pub probs: Vec<Q>,
}

/// A payoff vector with a label, attachable to any node.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome<T> {
    /// Free-form label (may be empty).
    pub label: String,
    /// One payoff per player.
    pub payoffs: Vec<T>,
}

/// A node of the game tree.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Node {
    /// Free-form label (may be empty).
    pub label: String,
    /// Information set of a decision node; `None` for a terminal node.
    pub infoset: Option<usize>,
    /// Children in action order (empty for terminal nodes).
    pub children: Vec<usize>,
    /// Index into the outcome list, if the node carries an outcome.
    pub outcome: Option<usize>,
}

/// The raw parts of an extensive game, for [`ExtensiveGame::from_parts`] and
/// returned by [`ExtensiveGame::to_parts`].
#[derive(Clone, Debug, PartialEq)]
pub struct ExtensiveParts<T> {
    /// Title of the game (may be empty).
    pub title: String,
    /// Free-form comment (may be empty).
    pub comment: String,
    /// Player names; the number of players is `players.len()`.
    pub players: Vec<String>,
    /// The nodes; node 0 is the root. Any order in which the children
    /// indices form a tree rooted at 0 is accepted.
    pub nodes: Vec<Node>,
    /// The information sets referenced by the nodes.
    pub infosets: Vec<Infoset>,
    /// The outcomes referenced by the nodes (unreferenced ones are dropped).
    pub outcomes: Vec<Outcome<T>>,
}

/// A finite extensive-form game, validated; see the [module docs](self).
#[derive(Clone, Debug, PartialEq)]
pub struct ExtensiveGame<T> {
    title: String,
    comment: String,
    players: Vec<String>,
    nodes: Vec<Node>,
    /// `(parent, action index)` per node; `None` for the root.
    parents: Vec<Option<(usize, usize)>>,
    infosets: Vec<Infoset>,
    outcomes: Vec<Outcome<T>>,
    /// Member nodes of each information set, in prefix order.
    members: Vec<Vec<usize>>,
    /// Information sets of each player, in prefix order of first encounter.
    player_infosets: Vec<Vec<usize>>,
    /// Position of each information set in its mover's list (chance
    /// information sets are numbered among themselves).
    local_index: Vec<usize>,
}

impl<T: Payoff> ExtensiveGame<T> {
    /// Builds and validates a game from an arena of nodes. Everything is
    /// renumbered into a canonical order: nodes into prefix order, information
    /// sets and outcomes into order of first use in that order (outcomes no
    /// node uses are dropped). So two descriptions of the same tree give equal
    /// games.
    ///
    /// # Errors
    ///
    /// A [`TreeError`] describing the first problem found (indices refer to
    /// the parts as supplied).
    pub fn from_parts(parts: ExtensiveParts<T>) -> Result<Self, TreeError> {
        let ExtensiveParts {
            title,
            comment,
            players,
            nodes,
            infosets,
            outcomes,
        } = parts;
        let n = players.len();
        if n == 0 {
            return Err(TreeError::NoPlayers);
        }
        if nodes.is_empty() {
            return Err(TreeError::NoNodes);
        }
        for (i, o) in outcomes.iter().enumerate() {
            if o.payoffs.len() != n {
                return Err(TreeError::PayoffLength {
                    outcome: i,
                    expected: n,
                    actual: o.payoffs.len(),
                });
            }
            if !o.payoffs.iter().all(is_comparable) {
                return Err(TreeError::IncomparablePayoff { outcome: i });
            }
        }
        for (i, s) in infosets.iter().enumerate() {
            if s.actions.is_empty() {
                return Err(TreeError::NoActions { infoset: i });
            }
            match s.mover {
                Mover::Player(p) => {
                    if p >= n {
                        return Err(TreeError::PlayerOutOfRange {
                            infoset: i,
                            player: p,
                        });
                    }
                    if !s.probs.is_empty() {
                        return Err(TreeError::ChanceProbabilities {
                            infoset: i,
                            message: "a player's information set cannot have probabilities".into(),
                        });
                    }
                }
                Mover::Chance => check_chance_probs(i, s)?,
            }
        }
        // Node checks and prefix order, iteratively.
        for (i, node) in nodes.iter().enumerate() {
            match node.infoset {
                None => {
                    if !node.children.is_empty() {
                        return Err(TreeError::ChildCount {
                            node: i,
                            expected: 0,
                            actual: node.children.len(),
                        });
                    }
                }
                Some(s) => {
                    let set = infosets.get(s).ok_or(TreeError::InfosetOutOfRange {
                        node: i,
                        infoset: s,
                    })?;
                    if set.actions.len() != node.children.len() {
                        return Err(TreeError::ChildCount {
                            node: i,
                            expected: set.actions.len(),
                            actual: node.children.len(),
                        });
                    }
                }
            }
            if let Some(o) = node.outcome
                && o >= outcomes.len()
            {
                return Err(TreeError::OutcomeOutOfRange {
                    node: i,
                    outcome: o,
                });
            }
            for &c in &node.children {
                if c >= nodes.len() {
                    return Err(TreeError::ChildOutOfRange { node: i, child: c });
                }
            }
        }
        let mut order = Vec::with_capacity(nodes.len());
        let mut new_id = vec![usize::MAX; nodes.len()];
        let mut stack = vec![0usize];
        while let Some(v) = stack.pop() {
            if new_id[v] != usize::MAX {
                return Err(TreeError::NotATree { node: v });
            }
            new_id[v] = order.len();
            order.push(v);
            for &c in nodes[v].children.iter().rev() {
                if new_id[c] != usize::MAX || c == 0 {
                    return Err(TreeError::NotATree { node: c });
                }
                stack.push(c);
            }
        }
        if let Some(v) = new_id.iter().position(|&x| x == usize::MAX) {
            return Err(TreeError::Unreachable { node: v });
        }
        // Information sets in order of first encounter.
        let mut new_set = vec![usize::MAX; infosets.len()];
        let mut set_order = Vec::new();
        for &v in &order {
            if let Some(s) = nodes[v].infoset
                && new_set[s] == usize::MAX
            {
                new_set[s] = set_order.len();
                set_order.push(s);
            }
        }
        if let Some(s) = new_set.iter().position(|&x| x == usize::MAX) {
            return Err(TreeError::EmptyInfoset { infoset: s });
        }
        // Outcomes in order of first use; unused ones are dropped.
        let mut new_outcome = vec![usize::MAX; outcomes.len()];
        let mut outcome_order = Vec::new();
        for &v in &order {
            if let Some(o) = nodes[v].outcome
                && new_outcome[o] == usize::MAX
            {
                new_outcome[o] = outcome_order.len();
                outcome_order.push(o);
            }
        }
        let mut old_outcomes: Vec<Option<Outcome<T>>> = outcomes.into_iter().map(Some).collect();
        let outcomes: Vec<Outcome<T>> = outcome_order
            .iter()
            .filter_map(|&o| old_outcomes[o].take())
            .collect();
        let mut old_nodes: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
        let mut new_nodes = Vec::with_capacity(order.len());
        for &v in &order {
            let mut node = old_nodes[v].take().unwrap_or_default();
            node.infoset = node.infoset.map(|s| new_set[s]);
            node.outcome = node.outcome.map(|o| new_outcome[o]);
            for c in &mut node.children {
                *c = new_id[*c];
            }
            new_nodes.push(node);
        }
        let mut old_sets: Vec<Option<Infoset>> = infosets.into_iter().map(Some).collect();
        let new_sets: Vec<Infoset> = set_order
            .iter()
            .map(|&s| old_sets[s].take().unwrap_or_else(empty_infoset))
            .collect();
        Ok(Self::assemble(
            title, comment, players, new_nodes, new_sets, outcomes,
        ))
    }

    /// Builds a game from a nested [`Tree`]; node, infoset and outcome labels
    /// other than action labels and infoset names are empty, and each terminal
    /// node gets its own outcome.
    ///
    /// # Errors
    ///
    /// [`TreeError::InfosetMismatch`] if two nodes of one `(player, infoset)`
    /// list different actions, and the errors of [`from_parts`](Self::from_parts).
    pub fn from_tree(players: Vec<String>, tree: Tree<T>) -> Result<Self, TreeError> {
        let mut parts = ExtensiveParts {
            title: String::new(),
            comment: String::new(),
            players,
            nodes: Vec::new(),
            infosets: Vec::new(),
            outcomes: Vec::new(),
        };
        let mut named: HashMap<(usize, String), usize> = HashMap::new();
        // Iterative pre-order construction: (subtree, slot in parent's child list).
        let mut stack: Vec<PendingSubtree<T>> = vec![(tree, None)];
        while let Some((t, slot)) = stack.pop() {
            let id = parts.nodes.len();
            if let Some((parent, k)) = slot {
                parts.nodes[parent].children[k] = id;
            }
            let mut node = Node::default();
            let mut subtrees = Vec::new();
            match t {
                Tree::Terminal(payoffs) => {
                    node.outcome = Some(parts.outcomes.len());
                    parts.outcomes.push(Outcome {
                        label: String::new(),
                        payoffs,
                    });
                }
                Tree::Chance(moves) => {
                    let mut set = Infoset {
                        mover: Mover::Chance,
                        label: String::new(),
                        actions: Vec::new(),
                        probs: Vec::new(),
                    };
                    for (a, p, sub) in moves {
                        set.actions.push(a);
                        set.probs.push(p);
                        subtrees.push(sub);
                    }
                    node.infoset = Some(parts.infosets.len());
                    parts.infosets.push(set);
                }
                Tree::Decision {
                    player,
                    infoset,
                    moves,
                } => {
                    let (labels, subs): (Vec<String>, Vec<Tree<T>>) = moves.into_iter().unzip();
                    subtrees = subs;
                    let key = (player, infoset);
                    let s = match named.get(&key) {
                        Some(&s) => {
                            if parts.infosets[s].actions != labels {
                                return Err(TreeError::InfosetMismatch {
                                    player,
                                    infoset: key.1,
                                    message: format!(
                                        "actions {:?} differ from {:?} at an earlier node",
                                        labels, parts.infosets[s].actions
                                    ),
                                });
                            }
                            s
                        }
                        None => {
                            let s = parts.infosets.len();
                            parts.infosets.push(Infoset {
                                mover: Mover::Player(player),
                                label: key.1.clone(),
                                actions: labels,
                                probs: Vec::new(),
                            });
                            named.insert(key, s);
                            s
                        }
                    };
                    node.infoset = Some(s);
                }
            }
            node.children = vec![0; subtrees.len()];
            parts.nodes.push(node);
            for (k, sub) in subtrees.into_iter().enumerate().rev() {
                stack.push((sub, Some((id, k))));
            }
        }
        Self::from_parts(parts)
    }

    /// The accumulated payoff vector of the play ending at `node`: the sum of
    /// the outcomes on the path from the root to `node`, inclusive.
    ///
    /// # Panics
    ///
    /// If `node` is out of range.
    pub fn path_payoffs(&self, node: usize) -> Vec<T> {
        let mut total = vec![T::zero(); self.players.len()];
        let mut v = Some(node);
        while let Some(u) = v {
            if let Some(o) = self.nodes[u].outcome {
                for (t, x) in total.iter_mut().zip(&self.outcomes[o].payoffs) {
                    *t = t.clone() + x.clone();
                }
            }
            v = self.parents[u].map(|(p, _)| p);
        }
        total
    }

    /// `Some(c)` if the game is constant-sum: the accumulated payoffs of every
    /// terminal node sum to the same `c` over the players (compared exactly).
    /// `None` otherwise.
    pub fn constant_sum(&self) -> Option<T> {
        let acc = self.accumulated_payoffs();
        let mut c: Option<T> = None;
        for (v, node) in self.nodes.iter().enumerate() {
            if node.infoset.is_some() {
                continue;
            }
            let s = acc[v].iter().cloned().fold(T::zero(), |a, b| a + b);
            match &c {
                None => c = Some(s),
                Some(c0) => {
                    if *c0 != s {
                        return None;
                    }
                }
            }
        }
        c
    }

    /// Accumulated payoffs (sum of outcomes from the root, inclusive) at
    /// every node, indexed by node.
    pub(crate) fn accumulated_payoffs(&self) -> Vec<Vec<T>> {
        let n = self.players.len();
        let mut acc: Vec<Vec<T>> = Vec::with_capacity(self.nodes.len());
        for (v, node) in self.nodes.iter().enumerate() {
            let mut here = match self.parents[v] {
                Some((p, _)) => acc[p].clone(),
                None => vec![T::zero(); n],
            };
            if let Some(o) = node.outcome {
                for (t, x) in here.iter_mut().zip(&self.outcomes[o].payoffs) {
                    *t = t.clone() + x.clone();
                }
            }
            acc.push(here);
        }
        acc
    }

    /// Converts the payoffs to another number type, keeping the structure.
    ///
    /// # Errors
    ///
    /// [`TreeError::IncomparablePayoff`] if `f` produces NaN.
    pub fn map_payoffs<U: Payoff>(
        &self,
        mut f: impl FnMut(&T) -> U,
    ) -> Result<ExtensiveGame<U>, TreeError> {
        let mut outcomes = Vec::with_capacity(self.outcomes.len());
        for (i, o) in self.outcomes.iter().enumerate() {
            let payoffs: Vec<U> = o.payoffs.iter().map(&mut f).collect();
            if !payoffs.iter().all(is_comparable) {
                return Err(TreeError::IncomparablePayoff { outcome: i });
            }
            outcomes.push(Outcome {
                label: o.label.clone(),
                payoffs,
            });
        }
        Ok(ExtensiveGame {
            title: self.title.clone(),
            comment: self.comment.clone(),
            players: self.players.clone(),
            nodes: self.nodes.clone(),
            parents: self.parents.clone(),
            infosets: self.infosets.clone(),
            outcomes,
            members: self.members.clone(),
            player_infosets: self.player_infosets.clone(),
            local_index: self.local_index.clone(),
        })
    }
}

/// A subtree still to be numbered and the (parent, child slot) it fills.
type PendingSubtree<T> = (Tree<T>, Option<(usize, usize)>);

fn empty_infoset() -> Infoset {
    Infoset {
        mover: Mover::Chance,
        label: String::new(),
        actions: Vec::new(),
        probs: Vec::new(),
    }
}

fn check_chance_probs(i: usize, s: &Infoset) -> Result<(), TreeError> {
    let bad = |message: String| TreeError::ChanceProbabilities {
        infoset: i,
        message,
    };
    if s.probs.len() != s.actions.len() {
        return Err(bad(format!(
            "chance has {} actions but {} probabilities",
            s.actions.len(),
            s.probs.len()
        )));
    }
    let mut sum = Q::zero();
    for (a, p) in s.probs.iter().enumerate() {
        if p.is_negative() {
            return Err(bad(format!("probability of action {a} is negative ({p})")));
        }
        sum += p;
    }
    if !sum.is_one() {
        return Err(bad(format!("chance probabilities sum to {sum}, not 1")));
    }
    Ok(())
}

impl<T> ExtensiveGame<T> {
    /// Builds the derived tables from already validated, renumbered parts.
    fn assemble(
        title: String,
        comment: String,
        players: Vec<String>,
        nodes: Vec<Node>,
        infosets: Vec<Infoset>,
        outcomes: Vec<Outcome<T>>,
    ) -> Self {
        let mut parents = vec![None; nodes.len()];
        let mut members = vec![Vec::new(); infosets.len()];
        for (v, node) in nodes.iter().enumerate() {
            for (k, &c) in node.children.iter().enumerate() {
                parents[c] = Some((v, k));
            }
            if let Some(s) = node.infoset {
                members[s].push(v);
            }
        }
        let mut player_infosets = vec![Vec::new(); players.len()];
        let mut chance_count = 0;
        let mut local_index = vec![0; infosets.len()];
        for (s, set) in infosets.iter().enumerate() {
            match set.mover {
                Mover::Player(p) => {
                    local_index[s] = player_infosets[p].len();
                    player_infosets[p].push(s);
                }
                Mover::Chance => {
                    local_index[s] = chance_count;
                    chance_count += 1;
                }
            }
        }
        Self {
            title,
            comment,
            players,
            nodes,
            parents,
            infosets,
            outcomes,
            members,
            player_infosets,
            local_index,
        }
    }

    /// The game's title (may be empty).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Sets the title.
    pub fn set_title(&mut self, title: impl Into<String>) {
        self.title = title.into();
    }

    /// The game's comment (may be empty).
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// Sets the comment.
    pub fn set_comment(&mut self, comment: impl Into<String>) {
        self.comment = comment.into();
    }

    /// Player names, indexed by player.
    pub fn players(&self) -> &[String] {
        &self.players
    }

    /// Number of players (at least 1).
    pub fn num_players(&self) -> usize {
        self.players.len()
    }

    /// All nodes in prefix order; node 0 is the root.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The parent of `node` and the index of the action leading to it; `None`
    /// for the root.
    ///
    /// # Panics
    ///
    /// If `node` is out of range.
    pub fn parent(&self, node: usize) -> Option<(usize, usize)> {
        self.parents[node]
    }

    /// All information sets, in order of first encounter.
    pub fn infosets(&self) -> &[Infoset] {
        &self.infosets
    }

    /// The member nodes of information set `infoset`, in prefix order.
    ///
    /// # Panics
    ///
    /// If `infoset` is out of range.
    pub fn members(&self, infoset: usize) -> &[usize] {
        &self.members[infoset]
    }

    /// The information sets of `player`, in order of first encounter.
    ///
    /// # Panics
    ///
    /// If `player` is out of range.
    pub fn player_infosets(&self, player: usize) -> &[usize] {
        &self.player_infosets[player]
    }

    /// Position of `infoset` in its mover's list of information sets (for
    /// chance, among chance information sets).
    ///
    /// # Panics
    ///
    /// If `infoset` is out of range.
    pub fn local_index(&self, infoset: usize) -> usize {
        self.local_index[infoset]
    }

    /// All outcomes, in order of first use.
    pub fn outcomes(&self) -> &[Outcome<T>] {
        &self.outcomes
    }

    /// Whether every player's information set has exactly one node (chance
    /// information sets may have several). Backward induction needs this.
    pub fn is_perfect_information(&self) -> bool {
        self.infosets
            .iter()
            .zip(&self.members)
            .all(|(s, m)| s.mover == Mover::Chance || m.len() == 1)
    }

    /// The first violation of perfect recall, described in words, or `None` if
    /// the game has perfect recall.
    ///
    /// A game has perfect recall iff, for every information set of every
    /// player, all its nodes have the same *parent sequence*: the player's
    /// last own `(information set, action)` on the path from the root (or
    /// none). This implies every player remembers all own earlier moves and
    /// information, and excludes absent-mindedness (an information set met
    /// twice on one path).
    pub fn perfect_recall_violation(&self) -> Option<String> {
        let last = self.last_own_sequences();
        for (s, set) in self.infosets.iter().enumerate() {
            let Mover::Player(p) = set.mover else {
                continue;
            };
            let first = last[self.members[s][0]][p];
            for &v in &self.members[s][1..] {
                if last[v][p] != first {
                    return Some(format!(
                        "player {} does not recall the same own history at all nodes of \
                         information set {} ({:?}): nodes {} and {} differ",
                        p + 1,
                        self.local_index[s] + 1,
                        set.label,
                        self.members[s][0],
                        v
                    ));
                }
            }
        }
        None
    }

    /// Whether the game has perfect recall (see
    /// [`perfect_recall_violation`](Self::perfect_recall_violation)).
    pub fn has_perfect_recall(&self) -> bool {
        self.perfect_recall_violation().is_none()
    }

    /// For each node and player, the player's last own move on the path to the
    /// node (exclusive) as `Some((infoset, action))`, or `None`.
    pub(crate) fn last_own_sequences(&self) -> Vec<Vec<Option<(usize, usize)>>> {
        let n = self.players.len();
        let mut last: Vec<Vec<Option<(usize, usize)>>> = Vec::with_capacity(self.nodes.len());
        for v in 0..self.nodes.len() {
            let here = match self.parents[v] {
                None => vec![None; n],
                Some((p, a)) => {
                    let mut h = last[p].clone();
                    if let Some(s) = self.nodes[p].infoset
                        && let Mover::Player(q) = self.infosets[s].mover
                    {
                        h[q] = Some((s, a));
                    }
                    h
                }
            };
            last.push(here);
        }
        last
    }

    /// The parts of this game (nodes in prefix order, information sets in
    /// order of first encounter); `from_parts(to_parts())` gives back an
    /// equal game.
    pub fn to_parts(&self) -> ExtensiveParts<T>
    where
        T: Clone,
    {
        ExtensiveParts {
            title: self.title.clone(),
            comment: self.comment.clone(),
            players: self.players.clone(),
            nodes: self.nodes.clone(),
            infosets: self.infosets.clone(),
            outcomes: self.outcomes.clone(),
        }
    }

    /// Sum of `num_actions` over `player`'s information sets plus one: the
    /// number of sequences of `player` in the sequence form.
    ///
    /// # Panics
    ///
    /// If `player` is out of range.
    pub fn num_sequences(&self, player: usize) -> usize {
        1 + self.player_infosets[player]
            .iter()
            .map(|&s| self.infosets[s].actions.len())
            .sum::<usize>()
    }
}

/// Sparse accumulation helper: adds `w * payoffs` into `map[key]`.
pub(crate) fn accumulate<T: Payoff>(
    map: &mut BTreeMap<Vec<usize>, Vec<T>>,
    key: Vec<usize>,
    w: &T,
    payoffs: &[T],
) {
    let slot = map
        .entry(key)
        .or_insert_with(|| vec![T::zero(); payoffs.len()]);
    for (s, x) in slot.iter_mut().zip(payoffs) {
        *s = s.clone() + w.clone() * x.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rational::{q, qi};

    fn players() -> Vec<String> {
        vec!["A".into(), "B".into()]
    }

    #[test]
    fn from_tree_numbers_in_prefix_order() {
        let t = Tree::decision(
            0,
            "root",
            vec![
                (
                    "L",
                    Tree::decision(
                        1,
                        "b",
                        vec![
                            ("l", Tree::terminal(vec![qi(1), qi(2)])),
                            ("r", Tree::terminal(vec![qi(3), qi(4)])),
                        ],
                    ),
                ),
                ("R", Tree::terminal(vec![qi(5), qi(6)])),
            ],
        );
        let g = ExtensiveGame::from_tree(players(), t).unwrap();
        assert_eq!(g.nodes().len(), 5);
        assert_eq!(g.nodes()[0].children, vec![1, 4]);
        assert_eq!(g.nodes()[1].children, vec![2, 3]);
        assert_eq!(g.path_payoffs(3), vec![qi(3), qi(4)]);
        assert_eq!(g.parent(4), Some((0, 1)));
        assert!(g.is_perfect_information());
        assert!(g.has_perfect_recall());
        assert_eq!(g.constant_sum(), None);
        assert_eq!(g.num_sequences(0), 3);
        let again = ExtensiveGame::from_parts(g.to_parts()).unwrap();
        assert_eq!(again, g);
    }

    #[test]
    fn validation_errors() {
        let t = Tree::decision(
            0,
            "x",
            vec![
                (
                    "L",
                    Tree::decision(0, "x", vec![("a", Tree::terminal(vec![qi(0)]))]),
                ),
                ("R", Tree::terminal(vec![qi(0)])),
            ],
        );
        assert!(matches!(
            ExtensiveGame::from_tree(vec!["A".into()], t),
            Err(TreeError::InfosetMismatch { .. })
        ));
        let bad_probs = Tree::chance(vec![
            ("h", q(1, 2), Tree::terminal(vec![qi(0)])),
            ("t", q(1, 3), Tree::terminal(vec![qi(0)])),
        ]);
        let e = ExtensiveGame::from_tree(vec!["A".into()], bad_probs).unwrap_err();
        assert!(e.to_string().contains("sum to 5/6"), "{e}");
        let wrong_len = Tree::terminal(vec![qi(0)]);
        assert_eq!(
            ExtensiveGame::from_tree(players(), wrong_len),
            Err(TreeError::PayoffLength {
                outcome: 0,
                expected: 2,
                actual: 1
            })
        );
        let cyc = ExtensiveParts::<Q> {
            title: String::new(),
            comment: String::new(),
            players: players(),
            nodes: vec![
                Node {
                    infoset: Some(0),
                    children: vec![1, 1],
                    ..Node::default()
                },
                Node::default(),
            ],
            infosets: vec![Infoset {
                mover: Mover::Player(0),
                label: String::new(),
                actions: vec!["a".into(), "b".into()],
                probs: vec![],
            }],
            outcomes: vec![],
        };
        assert_eq!(
            ExtensiveGame::from_parts(cyc),
            Err(TreeError::NotATree { node: 1 })
        );
    }

    #[test]
    fn absent_minded_driver_lacks_perfect_recall() {
        // Piccione & Rubinstein (1997): the same information set twice on a path.
        let t = Tree::decision(
            0,
            "X",
            vec![
                ("exit", Tree::terminal(vec![qi(0)])),
                (
                    "continue",
                    Tree::decision(
                        0,
                        "X",
                        vec![
                            ("exit", Tree::terminal(vec![qi(4)])),
                            ("continue", Tree::terminal(vec![qi(1)])),
                        ],
                    ),
                ),
            ],
        );
        let g = ExtensiveGame::from_tree(vec!["driver".into()], t).unwrap();
        assert!(!g.has_perfect_recall());
        assert!(!g.is_perfect_information());
    }
}
