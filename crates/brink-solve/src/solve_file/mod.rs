//! Solving a game read from a file: picks a method, runs it and collects
//! the equilibria with names, labels and remarks in a [`SolveReport`] that
//! renders as Gambit-style text lines or as JSON.
//!
//! This is what `brink solve` does between reading the file and printing;
//! it does no IO and knows no command-line flags.

mod estimate;
mod replicator;
mod report;

use crate::budget::Budget;
use crate::extensive::{ExtensiveGame, solve_zero_sum_sequence_form, subgame_perfect_equilibria};
use crate::formats::{GameFile, format_number};
use crate::nplayer::{EnumOptions, enumerate_equilibria_report_within};
use crate::qre::{LimitOptions, limiting_logit_equilibrium, logit_qre};
use crate::rational::{Q, to_f64};
use crate::twoplayer::{
    TwoPlayerSolution, lemke_howson, lemke_howson_all, solve_zero_sum, support_enumeration,
    vertex_enumeration_within,
};
use crate::{Equilibrium, GameError, NormalFormGame, SolveError, pure_nash_equilibria};

pub use estimate::{WORK_LIMIT, WORK_REMARK, WorkEstimate, short_count, suggestion};
pub use replicator::{REPLICATOR_HORIZON, REPLICATOR_REGRET_TOL, StartError};
pub use report::{Num, Solution, SolveReport};

use report::float_solution;

/// Most subgame-perfect equilibria [`SolveMethod::Spe`] lists.
pub const SPE_LIMIT: usize = 10_000;

/// The solution methods for a game file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SolveMethod {
    /// Pure-strategy Nash equilibria (any number of players).
    Pure,
    /// Support enumeration, two players, exact.
    Support,
    /// Vertex enumeration, two players, exact: all extreme equilibria.
    Vertex,
    /// Lemke–Howson from every initial label (or one), two players, exact.
    Lh,
    /// Linear programming, two-player zero-sum games, exact.
    Lp,
    /// Logit quantal response equilibrium at a λ, or the limit of its path.
    Logit,
    /// Support enumeration over the multilinear systems, any number of players.
    EnumN,
    /// Subgame-perfect equilibria by backward induction.
    Spe,
    /// Sequence-form LP (two-player zero-sum extensive games), exact.
    Seqform,
    /// Replicator dynamics of a symmetric two-player game.
    Replicator,
}

impl SolveMethod {
    /// Every method, in the order of their documentation.
    pub const ALL: [SolveMethod; 10] = [
        SolveMethod::Pure,
        SolveMethod::Support,
        SolveMethod::Vertex,
        SolveMethod::Lh,
        SolveMethod::Lp,
        SolveMethod::Logit,
        SolveMethod::EnumN,
        SolveMethod::Spe,
        SolveMethod::Seqform,
        SolveMethod::Replicator,
    ];

    /// The method whose [`name`](Self::name) is `name`.
    pub fn from_name(name: &str) -> Option<SolveMethod> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// One sentence on what the method computes and for which games.
    pub fn description(self) -> &'static str {
        match self {
            SolveMethod::Pure => "Pure-strategy Nash equilibria (any number of players).",
            SolveMethod::Support => "Support enumeration, two players, exact.",
            SolveMethod::Vertex => {
                "Vertex enumeration, two players, exact: all extreme equilibria."
            }
            SolveMethod::Lh => {
                "Lemke–Howson from every initial label (or a given one), two players, exact."
            }
            SolveMethod::Lp => "Linear programming, two-player zero-sum games, exact.",
            SolveMethod::Logit => {
                "Logit quantal response equilibrium at a given λ, or the limit of its path."
            }
            SolveMethod::EnumN => {
                "Support enumeration over the multilinear systems, any number of players."
            }
            SolveMethod::Spe => {
                "Subgame-perfect equilibria by backward induction (perfect-information \
                 extensive games)."
            }
            SolveMethod::Seqform => {
                "Sequence-form LP (two-player zero-sum extensive games), exact."
            }
            SolveMethod::Replicator => {
                "Replicator dynamics from the uniform profile (or a given start) to t = 1000, \
                 symmetric two-player games: the end point, both players using the \
                 population strategy, and whether it is an evolutionarily stable strategy \
                 (decided exactly)."
            }
        }
    }

    /// The method's short name (`enum-n`, `lh`, ...), as in reports.
    pub fn name(self) -> &'static str {
        match self {
            SolveMethod::Pure => "pure",
            SolveMethod::Support => "support",
            SolveMethod::Vertex => "vertex",
            SolveMethod::Lh => "lh",
            SolveMethod::Lp => "lp",
            SolveMethod::Logit => "logit",
            SolveMethod::EnumN => "enum-n",
            SolveMethod::Spe => "spe",
            SolveMethod::Seqform => "seqform",
            SolveMethod::Replicator => "replicator",
        }
    }

    /// The method used when none is asked for: spe for perfect-information
    /// extensive games, seqform for two-player zero-sum extensive games with
    /// perfect recall, vertex for other two-player games, enum-n for three or
    /// more players, pure for one player.
    pub fn default_for(game: &GameFile) -> SolveMethod {
        match game {
            GameFile::Strategic(g) => match g.game().num_players() {
                1 => SolveMethod::Pure,
                2 => SolveMethod::Vertex,
                _ => SolveMethod::EnumN,
            },
            GameFile::Extensive(g) => {
                if g.is_perfect_information() {
                    SolveMethod::Spe
                } else if g.num_players() == 2
                    && g.constant_sum().is_some()
                    && g.has_perfect_recall()
                {
                    SolveMethod::Seqform
                } else if g.num_players() == 2 {
                    SolveMethod::Vertex
                } else if g.num_players() == 1 {
                    SolveMethod::Pure
                } else {
                    SolveMethod::EnumN
                }
            }
        }
    }
}

/// What to solve for, beyond the game.
#[derive(Clone, Debug, Default)]
pub struct SolveOptions {
    /// The method; `None` picks [`SolveMethod::default_for`] the game.
    pub method: Option<SolveMethod>,
    /// For Lemke–Howson: start from this label only (0-based: the row
    /// player's strategies, then the column player's); `None`: every label.
    pub label: Option<usize>,
    /// For logit: the precision λ; `None`: the limit of the logit path.
    pub lambda: Option<f64>,
    /// For the replicator dynamics: the initial state as text, one
    /// probability per strategy separated by commas; `None`: uniform.
    pub start: Option<String>,
    /// Memory and time limits of the enumeration methods.
    pub budget: Budget,
    /// Start an enumeration even when its [`WorkEstimate`] is above
    /// [`WORK_LIMIT`].
    pub force: bool,
}

/// Why a game file could not be solved.
#[derive(Debug, thiserror::Error)]
pub enum SolveFileError {
    /// An initial state was given for a method other than the replicator
    /// dynamics.
    #[error("an initial state applies to the replicator dynamics only, not {}", .0.name())]
    StartWithoutReplicator(SolveMethod),
    /// The method needs an extensive game and got a normal-form one.
    #[error("method {} needs an extensive game (.efg, or a brink file with nodes)", .0.name())]
    NeedsExtensive(SolveMethod),
    /// The replicator dynamics need a symmetric two-player game.
    #[error(
        "method replicator needs a symmetric two-player game (both players with the same number \
         of strategies, player 2's payoff matrix the transpose of player 1's), but {0}"
    )]
    NotSymmetric(String),
    /// The initial state of the replicator dynamics is malformed.
    #[error(transparent)]
    Start(#[from] StartError),
    /// The enumeration is too large to start.
    #[error("{what}: too large to enumerate; {suggestion}")]
    TooMuchWork {
        /// The size of the search.
        what: String,
        /// The method that fits.
        suggestion: String,
    },
    /// The solver stopped at a memory or time limit.
    #[error("{error}; {suggestion}")]
    Limit {
        /// The limit hit.
        error: SolveError,
        /// The method that fits.
        suggestion: String,
    },
    /// A Lemke–Howson starting label that the game does not have.
    #[error(
        "Lemke-Howson label {label} does not exist: the labels are 0 to {} (0-based), one per \
         strategy: {}",
        .labels.len() - 1,
        label_list(.labels)
    )]
    Label {
        /// The label asked for.
        label: usize,
        /// Every label's strategy, `player: strategy`, in label order.
        labels: Vec<String>,
    },
    /// A solver refused the game or failed.
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// The game could not be converted to floating point.
    #[error(transparent)]
    Game(#[from] GameError),
}

/// `0 = Alice: 1, 1 = Alice: 2, ...`: the first 12 labels and their strategies.
fn label_list(labels: &[String]) -> String {
    let mut list: Vec<String> = labels
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, l)| format!("{i} = {l}"))
        .collect();
    if labels.len() > 12 {
        list.push("…".into());
    }
    list.join(", ")
}

/// Solves `game` as `options` ask.
///
/// # Errors
///
/// [`SolveFileError`] if the method does not apply to the game or its solver
/// fails.
pub fn solve_game_file(
    game: &GameFile,
    options: &SolveOptions,
) -> Result<SolveReport, SolveFileError> {
    let method = options
        .method
        .unwrap_or_else(|| SolveMethod::default_for(game));
    if options.start.is_some() && method != SolveMethod::Replicator {
        return Err(SolveFileError::StartWithoutReplicator(method));
    }
    let suggest = suggestion(game);
    let options = &SolveOptions {
        budget: options.budget.start(),
        ..options.clone()
    };
    let result = match (game, method) {
        (GameFile::Extensive(g), SolveMethod::Spe) => spe(g),
        (GameFile::Extensive(g), SolveMethod::Seqform) => seqform(g),
        (GameFile::Strategic(_), SolveMethod::Spe | SolveMethod::Seqform) => {
            Err(SolveFileError::NeedsExtensive(method))
        }
        (GameFile::Strategic(g), _) => normal_form(
            g.game(),
            (g.players().to_vec(), g.strategies().to_vec()),
            (method, false, &suggest),
            options,
        ),
        (GameFile::Extensive(g), _) => {
            let rnf = g.reduced_normal_form()?;
            normal_form(
                &rnf.game,
                (g.players().to_vec(), rnf.names),
                (method, true, &suggest),
                options,
            )
            .map(|mut r| {
                r.notes
                    .push("solved the reduced normal form; strategies are reduced plans".into());
                r
            })
        }
    };
    result.map_err(|e| match e {
        SolveFileError::Solve(
            error @ (SolveError::MemoryLimit { .. } | SolveError::TimeLimit { .. }),
        ) => SolveFileError::Limit {
            error,
            suggestion: suggest,
        },
        e => e,
    })
}

/// Probabilities and payoffs of an exact equilibrium.
fn exact_solution(e: &Equilibrium<Q>) -> Solution {
    Solution {
        probs: e
            .strategies
            .iter()
            .map(|s| s.iter().cloned().map(Num::Exact).collect())
            .collect(),
        payoffs: e.payoffs.iter().cloned().map(Num::Exact).collect(),
    }
}

/// The equilibria of a two-player solver, noting degeneracy.
fn two_player(sol: TwoPlayerSolution<Q>, notes: &mut Vec<String>) -> Vec<Solution> {
    if sol.degenerate {
        notes.push(
            "the game is degenerate: the list holds extreme equilibria; other equilibria \
             may lie on the segments between them"
                .into(),
        );
    }
    sol.equilibria.iter().map(exact_solution).collect()
}

/// The pure equilibria as degenerate mixed profiles.
fn pure_solutions(g: &NormalFormGame<Q>) -> Vec<Solution> {
    pure_nash_equilibria(g)
        .iter()
        .map(|p| {
            let idx = g.profile_index(p);
            Solution {
                probs: p
                    .iter()
                    .enumerate()
                    .map(|(player, &s)| {
                        (0..g.num_strategies(player))
                            .map(|t| Num::Exact(Q::from_integer(i64::from(t == s).into())))
                            .collect()
                    })
                    .collect(),
                payoffs: g
                    .profile_payoffs(idx)
                    .iter()
                    .cloned()
                    .map(Num::Exact)
                    .collect(),
            }
        })
        .collect()
}

/// The zero-sum LP solution with its value as the row player's payoff.
fn lp_solution(g: &NormalFormGame<Q>) -> Result<Solution, SolveError> {
    let s = solve_zero_sum(g)?;
    let value = s.value.clone();
    Ok(Solution {
        probs: vec![
            s.row.into_iter().map(Num::Exact).collect(),
            s.column.into_iter().map(Num::Exact).collect(),
        ],
        payoffs: vec![Num::Exact(value.clone()), Num::Exact(-value)],
    })
}

/// The n-player enumeration in floating point, made exact where possible.
fn enum_n_solutions(
    g: &NormalFormGame<Q>,
    notes: &mut Vec<String>,
    budget: &Budget,
    suggest: &str,
) -> Result<Vec<Solution>, SolveFileError> {
    let gf = g.map_payoffs(to_f64)?;
    let report =
        enumerate_equilibria_report_within(&gf, &EnumOptions::default(), budget).map_err(|e| {
            match e {
                SolveError::Unsupported(what) => SolveFileError::TooMuchWork {
                    what: format!("method enum-n: {what}"),
                    suggestion: suggest.to_string(),
                },
                e => SolveFileError::Solve(e),
            }
        })?;
    if !report.stats.complete {
        notes.push(
            "the enumeration is not known to be complete (degenerate game or \
             unresolved supports); other equilibria may exist"
                .into(),
        );
    }
    Ok(report
        .equilibria
        .iter()
        .map(|e| float_solution(g, &e.strategies, &e.payoffs))
        .collect())
}

/// A logit QRE at `lambda` (tagged `QRE`, left in floating point), or the
/// limiting logit equilibrium (made exact where possible).
fn logit_solution(
    g: &NormalFormGame<Q>,
    lambda: Option<f64>,
    notes: &mut Vec<String>,
    tag: &mut &'static str,
) -> Result<Solution, SolveFileError> {
    let gf = g.map_payoffs(to_f64)?;
    Ok(match lambda {
        Some(lambda) => {
            *tag = "QRE";
            notes.push(format!(
                "logit quantal response equilibrium at lambda = {lambda} (not a Nash \
                 equilibrium)"
            ));
            let e = logit_qre(&gf, lambda)?;
            // A QRE is not an equilibrium: report the floats as they are.
            Solution::float(&e.strategies, &e.payoffs)
        }
        None => {
            let e = limiting_logit_equilibrium(&gf, &LimitOptions::default())?;
            float_solution(g, &e.strategies, &e.payoffs)
        }
    })
}

/// Solves a normal-form game (or the reduced normal form of an extensive
/// one) with `method`.
fn normal_form(
    g: &NormalFormGame<Q>,
    (players, labels): (Vec<String>, Vec<Vec<String>>),
    (method, reduced, suggest): (SolveMethod, bool, &str),
    options: &SolveOptions,
) -> Result<SolveReport, SolveFileError> {
    let mut notes = Vec::new();
    let sizes: Vec<usize> = (0..g.num_players()).map(|p| g.num_strategies(p)).collect();
    if let Some(est) = WorkEstimate::new(method, &sizes, reduced) {
        if est.too_large() && !options.force {
            return Err(SolveFileError::TooMuchWork {
                what: est.to_string(),
                suggestion: suggest.to_string(),
            });
        }
        if est.count > WORK_REMARK {
            notes.push(format!("{est}; this may take long"));
        }
    }
    let budget = &options.budget;
    let mut tag = "NE";
    let solutions: Vec<Solution> = match method {
        SolveMethod::Pure => pure_solutions(g),
        SolveMethod::Support => two_player(support_enumeration(g)?, &mut notes),
        SolveMethod::Vertex => two_player(vertex_enumeration_within(g, budget)?, &mut notes),
        SolveMethod::Lh => match options.label {
            Some(label) if label >= sizes.iter().sum() => {
                let labels = players
                    .iter()
                    .zip(&labels)
                    .flat_map(|(p, l)| l.iter().map(move |a| format!("{p}: {a}")))
                    .collect();
                return Err(SolveFileError::Label { label, labels });
            }
            Some(label) => vec![exact_solution(&lemke_howson(g, label)?)],
            None => lemke_howson_all(g)?.iter().map(exact_solution).collect(),
        },
        SolveMethod::Lp => vec![lp_solution(g)?],
        SolveMethod::EnumN => enum_n_solutions(g, &mut notes, budget, suggest)?,
        SolveMethod::Logit => vec![logit_solution(g, options.lambda, &mut notes, &mut tag)?],
        SolveMethod::Replicator => {
            return replicator::replicator_report(g, players, labels, options.start.as_deref());
        }
        SolveMethod::Spe | SolveMethod::Seqform => {
            return Err(SolveFileError::NeedsExtensive(method));
        }
    };
    if solutions.is_empty() {
        notes.push(if method == SolveMethod::Pure {
            "no pure equilibrium".to_string()
        } else {
            format!("method {} found no equilibrium", method.name())
        });
    }
    Ok(SolveReport {
        method,
        tag,
        representation: "mixed",
        players,
        labels,
        solutions,
        notes,
        extra: Vec::new(),
    })
}

/// Labels `infoset: action` of the behaviour-strategy entries, per player.
fn behaviour_labels(g: &ExtensiveGame<Q>) -> Vec<Vec<String>> {
    (0..g.num_players())
        .map(|p| {
            g.player_infosets(p)
                .iter()
                .flat_map(|&s| {
                    let set = &g.infosets()[s];
                    let iname = if set.label.is_empty() {
                        format!("#{}", g.local_index(s) + 1)
                    } else {
                        set.label.clone()
                    };
                    set.actions.iter().enumerate().map(move |(a, act)| {
                        let aname = if act.is_empty() {
                            (a + 1).to_string()
                        } else {
                            act.clone()
                        };
                        format!("{iname}: {aname}")
                    })
                })
                .collect()
        })
        .collect()
}

/// A behaviour-strategy report of an extensive game.
fn behaviour_report(
    g: &ExtensiveGame<Q>,
    method: SolveMethod,
    solutions: Vec<Solution>,
    notes: Vec<String>,
) -> SolveReport {
    SolveReport {
        method,
        tag: "NE",
        representation: "behaviour",
        players: g.players().to_vec(),
        labels: behaviour_labels(g),
        solutions,
        notes,
        extra: Vec::new(),
    }
}

/// Subgame-perfect equilibria, at most [`SPE_LIMIT`].
fn spe(g: &ExtensiveGame<Q>) -> Result<SolveReport, SolveFileError> {
    let all = subgame_perfect_equilibria(g, SPE_LIMIT)?;
    let mut notes = Vec::new();
    if all.truncated {
        notes.push(format!(
            "only the first {SPE_LIMIT} subgame-perfect equilibria are listed"
        ));
    }
    let solutions = all
        .equilibria
        .iter()
        .map(|e| Solution {
            probs: e
                .behaviour::<Q>(g)
                .into_iter()
                .map(|p| p.into_iter().flatten().map(Num::Exact).collect())
                .collect(),
            payoffs: e.payoffs.iter().cloned().map(Num::Exact).collect(),
        })
        .collect();
    Ok(behaviour_report(g, SolveMethod::Spe, solutions, notes))
}

/// The sequence-form solution of a two-player zero-sum extensive game.
fn seqform(g: &ExtensiveGame<Q>) -> Result<SolveReport, SolveFileError> {
    let s = solve_zero_sum_sequence_form(g)?;
    let probs = s
        .behaviour
        .iter()
        .map(|b| b.iter().flatten().cloned().map(Num::Exact).collect())
        .collect();
    let other = &s.constant - &s.value;
    let notes = vec![format!(
        "value of the game to {}: {}",
        g.players()[0],
        format_number(&s.value)
    )];
    let solution = Solution {
        probs,
        payoffs: vec![Num::Exact(s.value), Num::Exact(other)],
    };
    Ok(behaviour_report(
        g,
        SolveMethod::Seqform,
        vec![solution],
        notes,
    ))
}
