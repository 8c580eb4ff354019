//! The work an enumeration method faces, estimated before it starts, and the
//! method to use instead when it is hopeless.

use std::fmt;

use super::SolveMethod;
use crate::budget::{binomial, vertex_bound};
use crate::formats::GameFile;

/// Largest estimated count (vertices, support pairs) a method is started on
/// without being forced.
pub const WORK_LIMIT: f64 = 1e8;

/// Counts above this are worth a remark that the run may take long.
pub const WORK_REMARK: f64 = 1e5;

/// The size of the search an enumeration method faces.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkEstimate {
    /// The method.
    pub method: SolveMethod,
    /// Strategies per player of the normal form solved.
    pub strategies: Vec<usize>,
    /// Whether that normal form is the reduced normal form of an extensive game.
    pub reduced: bool,
    /// Upper bound of the number of objects the method enumerates.
    pub count: f64,
    /// What is counted.
    pub unit: &'static str,
}

impl WorkEstimate {
    /// The estimate for `method` on a normal form with these numbers of
    /// strategies; `None` for methods whose work is not exponential in them
    /// (pure, lh, lp, logit, replicator) or that check their own size
    /// (enum-n, after removing dominated strategies).
    pub fn new(method: SolveMethod, strategies: &[usize], reduced: bool) -> Option<WorkEstimate> {
        let (count, unit) = match (method, strategies) {
            (SolveMethod::Vertex, &[m, n]) => {
                let (m, n) = (m as u64, n as u64);
                (
                    vertex_bound(m, m + n).max(vertex_bound(n, m + n)),
                    "vertices of the larger best-response polytope (McMullen's upper bound)",
                )
            }
            (SolveMethod::Support, &[m, n]) => (
                binomial((m + n) as u64, m.min(n) as u64),
                "pairs of supports of equal size",
            ),
            _ => return None,
        };
        Some(WorkEstimate {
            method,
            strategies: strategies.to_vec(),
            reduced,
            count,
            unit,
        })
    }

    /// Whether the count is above [`WORK_LIMIT`].
    pub fn too_large(&self) -> bool {
        self.count > WORK_LIMIT
    }
}

impl fmt::Display for WorkEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<String> = self.strategies.iter().map(usize::to_string).collect();
        write!(
            f,
            "method {} on {} strategies{}: up to {} {}",
            self.method.name(),
            sizes.join(" x "),
            if self.reduced {
                " (the reduced normal form)"
            } else {
                ""
            },
            short_count(self.count),
            self.unit
        )
    }
}

/// A count for people: exact below a million, else `2.3e22`.
pub fn short_count(x: f64) -> String {
    if x < 1e6 {
        format!("{x:.0}")
    } else {
        format!("{x:.1e}")
    }
}

/// The method that fits `game` when an enumeration is too large, and why.
pub fn suggestion(game: &GameFile) -> String {
    match game {
        GameFile::Extensive(g) if g.is_perfect_information() => {
            "method spe solves perfect-information games by backward induction".into()
        }
        GameFile::Extensive(g)
            if g.num_players() == 2 && g.constant_sum().is_some() && g.has_perfect_recall() =>
        {
            "method seqform solves this two-player zero-sum game exactly (the sequence form is \
             linear in the size of the tree)"
                .into()
        }
        _ if num_players(game) == 2 => "method lh finds equilibria one Lemke-Howson path at a \
             time in bounded memory (method lp for zero-sum games)"
            .into(),
        _ => "method logit follows the logit path to one equilibrium".into(),
    }
}

fn num_players(game: &GameFile) -> usize {
    match game {
        GameFile::Strategic(g) => g.game().num_players(),
        GameFile::Extensive(g) => g.num_players(),
    }
}
