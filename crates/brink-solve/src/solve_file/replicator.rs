//! The replicator dynamics of a symmetric two-player game file: the end
//! point, whether it is an equilibrium, and whether it is an ESS.

use serde_json::json;

use super::report::{Num, SolveReport, float_solution};
use super::{SolveFileError, SolveMethod};
use crate::NormalFormGame;
use crate::evolution::{OdeOptions, Trajectory, is_ess, replicator};
use crate::formats::{NumberError, format_number, parse_number};
use crate::rational::{Q, to_f64};

/// End time of the replicator dynamics. Near a regular ESS (a hyperbolic
/// sink) the distance to it shrinks like `e^(−κ t)`; with κ of order 0.1 or
/// more (payoff differences of order 1) the state is within rounding of the
/// rest point long before t = 1000. Slower convergence (non-regular
/// equilibria, tiny payoff differences) or cycles show up as a positive
/// regret at the end.
pub const REPLICATOR_HORIZON: f64 = 1000.0;

/// Largest regret, relative to the largest absolute payoff (at least 1), at
/// which the end point of the replicator dynamics counts as an equilibrium.
pub const REPLICATOR_REGRET_TOL: f64 = 1e-6;

/// A malformed initial state of the replicator dynamics.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Not one probability per strategy.
    #[error("expected {expected} probabilities separated by commas (one per strategy), got {got}")]
    Count {
        /// Number of strategies.
        expected: usize,
        /// Number of entries given.
        got: usize,
    },
    /// An entry is not a number.
    #[error("\"{text}\": {message}")]
    Number {
        /// The entry.
        text: String,
        /// Why it is not a number.
        message: NumberError,
    },
    /// An entry is negative.
    #[error("expected probabilities, got the negative {}", format_number(.0))]
    Negative(Q),
    /// The entries do not sum to 1.
    #[error("the probabilities sum to {}, not 1", format_number(.0))]
    Sum(Q),
}

/// The name of entry `i` of `names`, or its 1-based number if it is empty.
fn name_or_number(names: &[String], i: usize) -> String {
    match names.get(i) {
        Some(n) if !n.is_empty() => n.clone(),
        _ => (i + 1).to_string(),
    }
}

/// The row payoff matrix `A` of a symmetric two-player game: both players
/// have the same number of strategies and player 2's payoff matrix is the
/// transpose of player 1's (`u2(j, i) = u1(i, j) = a[i][j]`).
fn symmetric_matrix(
    g: &NormalFormGame<Q>,
    players: &[String],
    labels: &[Vec<String>],
) -> Result<Vec<Vec<Q>>, SolveFileError> {
    let not = |why: String| SolveFileError::NotSymmetric(why);
    if g.num_players() != 2 {
        return Err(not(format!(
            "the game has {} player{}",
            g.num_players(),
            if g.num_players() == 1 { "" } else { "s" }
        )));
    }
    let player = |p: usize| match players.get(p) {
        Some(n) if !n.is_empty() => n.clone(),
        _ => format!("player {}", p + 1),
    };
    let n = g.num_strategies(0);
    if g.num_strategies(1) != n {
        return Err(not(format!(
            "{} has {n} strategies and {} has {}",
            player(0),
            player(1),
            g.num_strategies(1)
        )));
    }
    let empty = Vec::new();
    let (l0, l1) = (
        labels.first().unwrap_or(&empty),
        labels.get(1).unwrap_or(&empty),
    );
    for i in 0..n {
        for j in 0..n {
            let u1 = g.payoff(&[i, j], 0);
            let u2 = g.payoff(&[j, i], 1);
            if u1 != u2 {
                return Err(not(format!(
                    "{}'s payoff at ({}, {}) is {} while {}'s payoff at ({}, {}) is {}",
                    player(0),
                    name_or_number(l0, i),
                    name_or_number(l1, j),
                    format_number(u1),
                    player(1),
                    name_or_number(l0, j),
                    name_or_number(l1, i),
                    format_number(u2),
                )));
            }
        }
    }
    Ok((0..n)
        .map(|i| (0..n).map(|j| g.payoff(&[i, j], 0).clone()).collect())
        .collect())
}

/// Parses an initial state: `n` comma-separated probabilities summing
/// exactly to 1.
fn parse_start(text: &str, n: usize) -> Result<Vec<Q>, StartError> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() != n {
        return Err(StartError::Count {
            expected: n,
            got: parts.len(),
        });
    }
    let x = parts
        .iter()
        .map(|p| {
            parse_number(p).map_err(|message| StartError::Number {
                text: (*p).to_string(),
                message,
            })
        })
        .collect::<Result<Vec<Q>, StartError>>()?;
    if let Some(v) = x.iter().find(|v| **v < Q::default()) {
        return Err(StartError::Negative(v.clone()));
    }
    let total: Q = x.iter().sum();
    if total != Q::from_integer(1.into()) {
        return Err(StartError::Sum(total));
    }
    Ok(x)
}

/// How close the end point `x` of the dynamics of `af` is to an equilibrium.
struct EndPoint {
    /// Payoff of the population against itself.
    value: f64,
    /// Largest gain of a pure strategy over the population.
    regret: f64,
    /// Largest absolute payoff, at least 1.
    scale: f64,
}

impl EndPoint {
    fn new(af: &[Vec<f64>], x: &[f64]) -> Self {
        let ax: Vec<f64> = af
            .iter()
            .map(|row| row.iter().zip(x).map(|(aij, xj)| aij * xj).sum())
            .collect();
        let value: f64 = x.iter().zip(&ax).map(|(xi, axi)| xi * axi).sum();
        let regret = ax.iter().fold(0.0f64, |m, v| m.max(v - value));
        let scale = af.iter().flatten().fold(1.0f64, |m, v| m.max(v.abs()));
        EndPoint {
            value,
            regret,
            scale,
        }
    }
}

/// Integrates the replicator dynamics of the symmetric game `g` from the
/// uniform state (or `start`) to [`REPLICATOR_HORIZON`] with the
/// integrator's default tolerances, and reports the end point as the
/// symmetric profile in which both players use it, with an exact ESS check
/// when the end point is confirmed exactly.
pub(super) fn replicator_report(
    g: &NormalFormGame<Q>,
    players: Vec<String>,
    labels: Vec<Vec<String>>,
    start: Option<&str>,
) -> Result<SolveReport, SolveFileError> {
    let aq = symmetric_matrix(g, &players, &labels)?;
    let n = aq.len();
    let af: Vec<Vec<f64>> = aq
        .iter()
        .map(|row| row.iter().map(to_f64).collect())
        .collect();
    let (x0, from) = match start {
        None => (vec![1.0 / n as f64; n], "the uniform state".to_string()),
        Some(s) => (
            parse_start(s, n)?.iter().map(to_f64).collect(),
            format!(
                "the state ({})",
                s.split(',').map(str::trim).collect::<Vec<_>>().join(", ")
            ),
        ),
    };
    let tr = replicator(&af, &x0, REPLICATOR_HORIZON, &OdeOptions::default())?;
    let x = tr.states.last().cloned().unwrap_or_else(|| x0.clone());
    let end = EndPoint::new(&af, &x);
    let solution = float_solution(g, &[x.clone(), x.clone()], &[end.value, end.value]);
    let exact: Option<Vec<Q>> = solution.probs[0]
        .iter()
        .map(|v| match v {
            Num::Exact(q) => Some(q.clone()),
            Num::Float(_) => None,
        })
        .collect();
    let tol = REPLICATOR_REGRET_TOL * end.scale;
    let equilibrium = exact.is_some() || end.regret <= tol;
    let mut notes = end_point_notes(&from, &tr, &end, tol, equilibrium, exact.is_some());
    let (ess, ess_text) = ess_verdict(&aq, exact.as_deref(), equilibrium);
    notes.push(format!("evolutionarily stable strategy (ESS): {ess_text}"));
    let extra = vec![(
        "replicator",
        json!({
            "start": x0,
            "t_end": REPLICATOR_HORIZON,
            "accepted_steps": tr.accepted_steps,
            "rejected_steps": tr.rejected_steps,
            "max_regret": end.regret,
            "equilibrium": equilibrium,
            "ess": ess,
        }),
    )];
    Ok(SolveReport {
        method: SolveMethod::Replicator,
        tag: if equilibrium { "NE" } else { "STATE" },
        representation: "mixed",
        players,
        labels,
        solutions: vec![solution],
        notes,
        extra,
    })
}

/// Notes on where the dynamics started and how good the end point is.
fn end_point_notes(
    from: &str,
    tr: &Trajectory,
    end: &EndPoint,
    tol: f64,
    equilibrium: bool,
    exact: bool,
) -> Vec<String> {
    let regret = end.regret;
    let mut notes = vec![format!(
        "replicator dynamics from {from} to t = {REPLICATOR_HORIZON} ({} steps); both players \
         use the end point",
        tr.accepted_steps
    )];
    if !equilibrium {
        notes.push(format!(
            "the end point is not an equilibrium: a pure strategy earns {regret:.3e} more than \
             the population (tolerance {tol:.1e}); the dynamics have not settled by t = \
             {REPLICATOR_HORIZON} (cycling, or converging slowly)"
        ));
    } else if !exact {
        notes.push(format!(
            "the end point is an approximate equilibrium (a pure strategy earns at most \
             {regret:.3e} more than the population); it is not confirmed exactly"
        ));
    }
    notes
}

/// Whether the exact end point `exact` is an ESS of `aq` (`None` if
/// undecided), with the verdict as text.
fn ess_verdict(aq: &[Vec<Q>], exact: Option<&[Q]>, equilibrium: bool) -> (Option<bool>, String) {
    let Some(xq) = exact else {
        let text = if equilibrium {
            "undecided (the end point is not confirmed exactly)"
        } else {
            "not checked (the end point is not an equilibrium)"
        };
        return (None, text.to_string());
    };
    match is_ess(aq, xq) {
        Ok(true) => (Some(true), "yes".to_string()),
        Ok(false) => (Some(false), "no".to_string()),
        Err(e) => (None, format!("undecided ({e})")),
    }
}
