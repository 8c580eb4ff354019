//! Hand-built game trees ([`Tree`]) and the ways a game tree can be invalid
//! ([`TreeError`]).

use core::fmt;

use crate::rational::Q;

/// A nested description of a game tree, for building games by hand with
/// [`ExtensiveGame::from_tree`].
#[derive(Clone, Debug, PartialEq)]
pub enum Tree<T> {
    /// A terminal node with one payoff per player.
    Terminal(Vec<T>),
    /// A chance node: `(action label, probability, subtree)` per action. Every
    /// chance node gets its own information set.
    Chance(Vec<(String, Q, Tree<T>)>),
    /// A decision node of `player` (0-based) in the information set named
    /// `infoset`; nodes with the same `(player, infoset)` share one
    /// information set and must list the same action labels.
    Decision {
        /// The player who moves (0-based).
        player: usize,
        /// Name of the information set (unique per player).
        infoset: String,
        /// `(action label, subtree)` per action.
        moves: Vec<(String, Tree<T>)>,
    },
}

impl<T> Tree<T> {
    /// A terminal node.
    pub fn terminal(payoffs: Vec<T>) -> Self {
        Tree::Terminal(payoffs)
    }

    /// A chance node from `(label, probability, subtree)` triples.
    pub fn chance<S: Into<String>>(moves: Vec<(S, Q, Tree<T>)>) -> Self {
        Tree::Chance(
            moves
                .into_iter()
                .map(|(s, p, t)| (s.into(), p, t))
                .collect(),
        )
    }

    /// A decision node of `player` in information set `infoset`.
    pub fn decision<S: Into<String>, L: Into<String>>(
        player: usize,
        infoset: S,
        moves: Vec<(L, Tree<T>)>,
    ) -> Self {
        Tree::Decision {
            player,
            infoset: infoset.into(),
            moves: moves.into_iter().map(|(s, t)| (s.into(), t)).collect(),
        }
    }
}

/// Why a game tree is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TreeError {
    /// The game has no players.
    NoPlayers,
    /// The node list is empty.
    NoNodes,
    /// A child index is out of range.
    ChildOutOfRange {
        /// The parent node (index as supplied).
        node: usize,
        /// The offending child index.
        child: usize,
    },
    /// A node is the child of two nodes, or of itself (not a tree).
    NotATree {
        /// The node reached twice (index as supplied).
        node: usize,
    },
    /// A node cannot be reached from the root.
    Unreachable {
        /// The node (index as supplied).
        node: usize,
    },
    /// A node's information set index is out of range.
    InfosetOutOfRange {
        /// The node (index as supplied).
        node: usize,
        /// The information set index.
        infoset: usize,
    },
    /// A decision node's child count differs from its information set's
    /// action count (or a terminal node has children).
    ChildCount {
        /// The node (index as supplied).
        node: usize,
        /// Number of actions (0 for a terminal node).
        expected: usize,
        /// Number of children.
        actual: usize,
    },
    /// A node's outcome index is out of range.
    OutcomeOutOfRange {
        /// The node (index as supplied).
        node: usize,
        /// The outcome index.
        outcome: usize,
    },
    /// An outcome's payoff vector does not have one entry per player.
    PayoffLength {
        /// The outcome index.
        outcome: usize,
        /// Number of players.
        expected: usize,
        /// Length supplied.
        actual: usize,
    },
    /// An outcome has a payoff that is not comparable with itself (NaN).
    IncomparablePayoff {
        /// The outcome index.
        outcome: usize,
    },
    /// An information set of a player who does not exist.
    PlayerOutOfRange {
        /// The information set (index as supplied).
        infoset: usize,
        /// The player.
        player: usize,
    },
    /// An information set with no actions.
    NoActions {
        /// The information set (index as supplied).
        infoset: usize,
    },
    /// Chance probabilities are missing, negative or do not sum to one, or a
    /// player's information set has probabilities.
    ChanceProbabilities {
        /// The information set (index as supplied).
        infoset: usize,
        /// What is wrong.
        message: String,
    },
    /// An information set has no nodes.
    EmptyInfoset {
        /// The information set (index as supplied).
        infoset: usize,
    },
    /// Two nodes of one named information set disagree ([`Tree`] input).
    InfosetMismatch {
        /// The player.
        player: usize,
        /// The information set's name.
        infoset: String,
        /// What differs.
        message: String,
    },
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoPlayers => write!(f, "a game needs at least one player"),
            Self::NoNodes => write!(f, "a game tree needs at least a root node"),
            Self::ChildOutOfRange { node, child } => {
                write!(f, "node {node} has child {child}, which does not exist")
            }
            Self::NotATree { node } => {
                write!(f, "node {node} has more than one parent (not a tree)")
            }
            Self::Unreachable { node } => write!(f, "node {node} is not reachable from the root"),
            Self::InfosetOutOfRange { node, infoset } => {
                write!(
                    f,
                    "node {node} refers to information set {infoset}, which does not exist"
                )
            }
            Self::ChildCount {
                node,
                expected,
                actual,
            } => write!(
                f,
                "node {node} has {actual} children but its information set has {expected} actions"
            ),
            Self::OutcomeOutOfRange { node, outcome } => {
                write!(
                    f,
                    "node {node} refers to outcome {outcome}, which does not exist"
                )
            }
            Self::PayoffLength {
                outcome,
                expected,
                actual,
            } => write!(
                f,
                "outcome {outcome} has {actual} payoffs, expected one per player ({expected})"
            ),
            Self::IncomparablePayoff { outcome } => {
                write!(
                    f,
                    "outcome {outcome} has a payoff that is not a number (NaN)"
                )
            }
            Self::PlayerOutOfRange { infoset, player } => write!(
                f,
                "information set {infoset} belongs to player {player}, who does not exist"
            ),
            Self::NoActions { infoset } => write!(f, "information set {infoset} has no actions"),
            Self::ChanceProbabilities { infoset, message } => {
                write!(f, "information set {infoset}: {message}")
            }
            Self::EmptyInfoset { infoset } => write!(f, "information set {infoset} has no nodes"),
            Self::InfosetMismatch {
                player,
                infoset,
                message,
            } => write!(
                f,
                "information set {infoset:?} of player {player}: {message}"
            ),
        }
    }
}

impl std::error::Error for TreeError {}
