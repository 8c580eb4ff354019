//! `brink solve`: read a game file and print its equilibria.
//!
//! Reads Gambit `.nfg`/`.efg` files and brink `.toml`/`.json` game files (see
//! `brink_solve::formats`), runs one of the solvers of `brink_solve`, and
//! prints one equilibrium per line as Gambit's command-line tools do
//! (`NE,1/3,2/3,...`: every player's probabilities in turn), or JSON.

use std::path::{Path, PathBuf};

use brink_solve::evolution::{OdeOptions, is_ess, replicator};
use brink_solve::extensive::{
    ExtensiveGame, solve_zero_sum_sequence_form, subgame_perfect_equilibria,
};
use brink_solve::formats::{
    FileKind, GameFile, format_decimal, format_number, parse_number, read_game,
};
use brink_solve::nplayer::{EnumOptions, enumerate_equilibria_report};
use brink_solve::qre::{LimitOptions, limiting_logit_equilibrium, logit_qre};
use brink_solve::rational::{Q, from_f64, to_f64};
use brink_solve::twoplayer::{
    TwoPlayerSolution, lemke_howson, lemke_howson_all, solve_zero_sum, support_enumeration,
    vertex_enumeration,
};
use brink_solve::{Equilibrium, NormalFormGame, expected_payoff, max_regret, pure_nash_equilibria};
use clap::ValueEnum;
use serde_json::{Value, json};

/// Most subgame-perfect equilibria `--method spe` lists.
const SPE_LIMIT: usize = 10_000;

/// End time of `--method replicator`. Near a regular ESS (a hyperbolic sink)
/// the distance to it shrinks like `e^(−κ t)`; with κ of order 0.1 or more
/// (payoff differences of order 1) the state is within rounding of the rest
/// point long before t = 1000. Slower convergence (non-regular equilibria, tiny
/// payoff differences) or cycles show up as a positive regret at the end.
const REPLICATOR_HORIZON: f64 = 1000.0;

/// Largest regret, relative to the largest absolute payoff (at least 1), at
/// which the end point of `--method replicator` counts as an equilibrium.
const REPLICATOR_REGRET_TOL: f64 = 1e-6;

/// Arguments of `brink solve`.
#[derive(clap::Args, Debug)]
pub struct SolveArgs {
    /// Game file: Gambit .nfg (payoff or outcome version) or .efg, or a brink
    /// game in .toml or .json (the extension decides).
    pub file: PathBuf,
    /// Solution method. Default: spe for perfect-information extensive games,
    /// seqform for two-player zero-sum extensive games, vertex for other
    /// two-player games, enum-n for games with three or more players, pure for
    /// one-player games. Normal-form methods on an .efg game solve its reduced
    /// normal form.
    #[arg(short, long, value_enum)]
    pub method: Option<Method>,
    /// Print exact fractions (1/3) instead of decimals. Floating-point methods
    /// (enum-n, logit, replicator) print a fraction only where the
    /// equilibrium is confirmed exactly; otherwise decimals.
    #[arg(long)]
    pub exact: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Decimal places of non-exact output.
    #[arg(long, default_value_t = 6)]
    pub digits: usize,
    /// For --method lh: start from this label only (0-based: the row player's
    /// strategies, then the column player's). Default: every label.
    #[arg(long)]
    pub label: Option<usize>,
    /// For --method logit: the precision parameter λ. Default: follow the
    /// logit path to its limit (a Nash equilibrium).
    #[arg(long)]
    pub lambda: Option<f64>,
    /// For --method replicator: the initial population state, one
    /// probability per strategy separated by commas (fractions or decimals,
    /// summing to 1), e.g. 1/2,1/4,1/4. Default: uniform.
    #[arg(long, value_name = "P1,P2,...")]
    pub start: Option<String>,
}

/// Solution methods of `brink solve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Pure-strategy Nash equilibria (any number of players).
    Pure,
    /// Support enumeration, two players, exact.
    Support,
    /// Vertex enumeration, two players, exact: all extreme equilibria.
    Vertex,
    /// Lemke–Howson from every initial label (or --label), two players, exact.
    Lh,
    /// Linear programming, two-player zero-sum games, exact.
    Lp,
    /// Logit quantal response equilibrium (--lambda) or the limit of its path.
    Logit,
    /// Support enumeration over the multilinear systems, any number of players.
    #[value(name = "enum-n")]
    EnumN,
    /// Subgame-perfect equilibria by backward induction (perfect-information
    /// extensive games).
    Spe,
    /// Sequence-form LP (two-player zero-sum extensive games), exact.
    Seqform,
    /// Replicator dynamics from the uniform profile (or --start) to t = 1000,
    /// symmetric two-player games: the end point, both players using the
    /// population strategy, and whether it is an evolutionarily stable
    /// strategy (decided exactly).
    Replicator,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Pure => "pure",
            Method::Support => "support",
            Method::Vertex => "vertex",
            Method::Lh => "lh",
            Method::Lp => "lp",
            Method::Logit => "logit",
            Method::EnumN => "enum-n",
            Method::Spe => "spe",
            Method::Seqform => "seqform",
            Method::Replicator => "replicator",
        }
    }
}

/// Output formats of `brink solve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One line per equilibrium, `NE,p1,p2,...`, as Gambit prints them.
    Text,
    /// A JSON document with exact and floating-point probabilities and payoffs.
    Json,
}

/// A number in a result: exact, or only known in floating point.
#[derive(Clone, Debug)]
enum Num {
    Exact(Q),
    Float(f64),
}

impl Num {
    fn float(&self) -> f64 {
        match self {
            Num::Exact(q) => to_f64(q),
            Num::Float(f) => *f,
        }
    }

    fn text(&self, exact: bool, digits: usize) -> String {
        match self {
            Num::Exact(q) if exact => format_number(q),
            Num::Exact(q) => format_decimal(q, digits),
            Num::Float(f) => format_decimal(&from_f64(*f).unwrap_or_default(), digits),
        }
    }
}

/// One solution: probabilities per player (mixed strategy, or behaviour
/// strategy flattened by information set then action) and payoffs.
struct Solution {
    probs: Vec<Vec<Num>>,
    payoffs: Vec<Num>,
}

/// Everything `brink solve` prints.
struct Report {
    method: Method,
    /// `NE` for equilibria, `QRE` for a quantal response equilibrium at a
    /// given λ, `STATE` for an end point of the replicator dynamics that is
    /// not an equilibrium: the first field of each text line.
    tag: &'static str,
    representation: &'static str,
    players: Vec<String>,
    /// Labels of the probability entries, per player.
    labels: Vec<Vec<String>>,
    solutions: Vec<Solution>,
    /// Remarks (degeneracy, truncation, ...), printed to stderr in text mode.
    notes: Vec<String>,
    /// Method-specific top-level JSON fields (key, value).
    extra: Vec<(&'static str, Value)>,
}

/// Runs `brink solve`.
///
/// # Errors
///
/// One line naming the file and, for malformed files, the line and column.
pub fn run(a: SolveArgs) -> Result<(), String> {
    let file = a.file.display().to_string();
    let game = load(&a.file).map_err(|e| format!("{file}: {e}"))?;
    let report = solve(&game, &a).map_err(|e| format!("{file}: {e}"))?;
    let out = match a.format {
        OutputFormat::Text => {
            for n in &report.notes {
                eprintln!("note: {n}");
            }
            text(&report, a.exact, a.digits)
        }
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(&json_report(&report, &file))
                .map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
    };
    write_stdout(&out)
}

fn write_stdout(s: &str) -> Result<(), String> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write the output: {e}")),
    }
}

fn load(path: &Path) -> Result<GameFile, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let kind = FileKind::from_extension(ext).ok_or_else(|| {
        "unknown file type (expected the extension .nfg, .efg, .toml or .json)".to_string()
    })?;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let t = String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]).into_owned();
        let line = t.matches('\n').count() + 1;
        let column = t.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("line {line}, column {column}: the file is not valid UTF-8 text")
    })?;
    read_game(kind, &text).map_err(|e| e.to_string())
}

fn default_method(game: &GameFile) -> Method {
    match game {
        GameFile::Strategic(g) => match g.game().num_players() {
            1 => Method::Pure,
            2 => Method::Vertex,
            _ => Method::EnumN,
        },
        GameFile::Extensive(g) => {
            if g.is_perfect_information() {
                Method::Spe
            } else if g.num_players() == 2 && g.constant_sum().is_some() && g.has_perfect_recall() {
                Method::Seqform
            } else if g.num_players() == 2 {
                Method::Vertex
            } else if g.num_players() == 1 {
                Method::Pure
            } else {
                Method::EnumN
            }
        }
    }
}

fn solve(game: &GameFile, a: &SolveArgs) -> Result<Report, String> {
    let method = a.method.unwrap_or_else(|| default_method(game));
    if a.start.is_some() && method != Method::Replicator {
        return Err(format!(
            "--start applies to --method replicator only, not {}",
            method.name()
        ));
    }
    match (game, method) {
        (GameFile::Extensive(g), Method::Spe) => spe(g),
        (GameFile::Extensive(g), Method::Seqform) => seqform(g),
        (GameFile::Strategic(_), Method::Spe | Method::Seqform) => Err(format!(
            "method {} needs an extensive game (.efg, or a brink file with nodes)",
            method.name()
        )),
        (GameFile::Strategic(g), _) => normal_form(
            g.game(),
            g.players().to_vec(),
            g.strategies().to_vec(),
            method,
            a,
        ),
        (GameFile::Extensive(g), _) => {
            let rnf = g.reduced_normal_form().map_err(|e| e.to_string())?;
            let mut r = normal_form(&rnf.game, g.players().to_vec(), rnf.names, method, a)?;
            r.notes
                .push("solved the reduced normal form; strategies are reduced plans".into());
            Ok(r)
        }
    }
}

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

fn normal_form(
    g: &NormalFormGame<Q>,
    players: Vec<String>,
    labels: Vec<Vec<String>>,
    method: Method,
    a: &SolveArgs,
) -> Result<Report, String> {
    let mut notes = Vec::new();
    let mut tag = "NE";
    let two = |sol: TwoPlayerSolution<Q>, notes: &mut Vec<String>| {
        if sol.degenerate {
            notes.push(
                "the game is degenerate: the list holds extreme equilibria; other equilibria \
                 may lie on the segments between them"
                    .into(),
            );
        }
        sol.equilibria
            .iter()
            .map(exact_solution)
            .collect::<Vec<_>>()
    };
    let solutions: Vec<Solution> = match method {
        Method::Pure => pure_nash_equilibria(g)
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
            .collect(),
        Method::Support => two(
            support_enumeration(g).map_err(|e| e.to_string())?,
            &mut notes,
        ),
        Method::Vertex => two(
            vertex_enumeration(g).map_err(|e| e.to_string())?,
            &mut notes,
        ),
        Method::Lh => match a.label {
            Some(label) => vec![exact_solution(
                &lemke_howson(g, label).map_err(|e| e.to_string())?,
            )],
            None => lemke_howson_all(g)
                .map_err(|e| e.to_string())?
                .iter()
                .map(exact_solution)
                .collect(),
        },
        Method::Lp => {
            let s = solve_zero_sum(g).map_err(|e| e.to_string())?;
            let value = s.value.clone();
            vec![Solution {
                probs: vec![
                    s.row.into_iter().map(Num::Exact).collect(),
                    s.column.into_iter().map(Num::Exact).collect(),
                ],
                payoffs: vec![Num::Exact(value.clone()), Num::Exact(-value)],
            }]
        }
        Method::EnumN => {
            let gf = g.map_payoffs(to_f64).map_err(|e| e.to_string())?;
            let report = enumerate_equilibria_report(&gf, &EnumOptions::default())
                .map_err(|e| e.to_string())?;
            if !report.stats.complete {
                notes.push(
                    "the enumeration is not known to be complete (degenerate game or \
                     unresolved supports); other equilibria may exist"
                        .into(),
                );
            }
            report
                .equilibria
                .iter()
                .map(|e| float_solution(g, &e.strategies, &e.payoffs))
                .collect()
        }
        Method::Logit => {
            let gf = g.map_payoffs(to_f64).map_err(|e| e.to_string())?;
            let e = match a.lambda {
                Some(lambda) => {
                    tag = "QRE";
                    notes.push(format!(
                        "logit quantal response equilibrium at lambda = {lambda} (not a Nash \
                         equilibrium)"
                    ));
                    logit_qre(&gf, lambda).map_err(|e| e.to_string())?
                }
                None => limiting_logit_equilibrium(&gf, &LimitOptions::default())
                    .map_err(|e| e.to_string())?,
            };
            if tag == "QRE" {
                // A QRE is not an equilibrium: report the floats as they are.
                vec![Solution {
                    probs: e
                        .strategies
                        .iter()
                        .map(|s| s.iter().map(|&x| Num::Float(x)).collect())
                        .collect(),
                    payoffs: e.payoffs.iter().map(|&x| Num::Float(x)).collect(),
                }]
            } else {
                vec![float_solution(g, &e.strategies, &e.payoffs)]
            }
        }
        Method::Replicator => return replicator_report(g, players, labels, a),
        Method::Spe | Method::Seqform => {
            return Err(format!("method {} needs an extensive game", method.name()));
        }
    };
    Ok(Report {
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

/// A floating-point equilibrium, made exact if its probabilities are (close
/// to) small fractions that form an exact equilibrium of `g`.
fn float_solution(g: &NormalFormGame<Q>, strategies: &[Vec<f64>], payoffs: &[f64]) -> Solution {
    let exact: Option<Vec<Vec<Q>>> = strategies
        .iter()
        .map(|s| {
            let v: Option<Vec<Q>> = s.iter().map(|&x| rationalize(x)).collect();
            v.filter(|v| v.iter().sum::<Q>() == Q::from_integer(1.into()))
        })
        .collect();
    if let Some(x) = exact
        && max_regret(g, &x).is_ok_and(|r| r == Q::default())
    {
        let payoffs = (0..g.num_players())
            .map(|p| expected_payoff(g, p, &x).map(Num::Exact))
            .collect::<Result<Vec<_>, _>>();
        if let Ok(payoffs) = payoffs {
            return Solution {
                probs: x
                    .into_iter()
                    .map(|s| s.into_iter().map(Num::Exact).collect())
                    .collect(),
                payoffs,
            };
        }
    }
    Solution {
        probs: strategies
            .iter()
            .map(|s| s.iter().map(|&x| Num::Float(x)).collect())
            .collect(),
        payoffs: payoffs.iter().map(|&x| Num::Float(x)).collect(),
    }
}

/// The fraction with the smallest denominator (at most 10^6) within 1e-9 of
/// `x`, by continued fractions; `None` if there is none.
fn rationalize(x: f64) -> Option<Q> {
    if !x.is_finite() {
        return None;
    }
    let (mut h0, mut h1, mut k0, mut k1) = (0i128, 1i128, 1i128, 0i128);
    let mut r = x;
    for _ in 0..40 {
        let a = r.floor();
        if a.abs() > 1e12 {
            return None;
        }
        let a = a as i128;
        (h0, h1) = (h1, a * h1 + h0);
        (k0, k1) = (k1, a * k1 + k0);
        if k1 > 1_000_000 {
            return None;
        }
        if (h1 as f64 / k1 as f64 - x).abs() <= 1e-9 {
            return Some(Q::new(
                i64::try_from(h1).ok()?.into(),
                i64::try_from(k1).ok()?.into(),
            ));
        }
        let frac = r - r.floor();
        if frac == 0.0 {
            return None;
        }
        r = 1.0 / frac;
    }
    None
}

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

fn spe(g: &ExtensiveGame<Q>) -> Result<Report, String> {
    let all = subgame_perfect_equilibria(g, SPE_LIMIT).map_err(|e| e.to_string())?;
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
    Ok(Report {
        method: Method::Spe,
        tag: "NE",
        representation: "behaviour",
        players: g.players().to_vec(),
        labels: behaviour_labels(g),
        solutions,
        notes,
        extra: Vec::new(),
    })
}

fn seqform(g: &ExtensiveGame<Q>) -> Result<Report, String> {
    let s = solve_zero_sum_sequence_form(g).map_err(|e| e.to_string())?;
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
    Ok(Report {
        method: Method::Seqform,
        tag: "NE",
        representation: "behaviour",
        players: g.players().to_vec(),
        labels: behaviour_labels(g),
        solutions: vec![Solution {
            probs,
            payoffs: vec![Num::Exact(s.value), Num::Exact(other)],
        }],
        notes,
        extra: Vec::new(),
    })
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
) -> Result<Vec<Vec<Q>>, String> {
    let expected = "method replicator needs a symmetric two-player game (both players with the \
                    same number of strategies, player 2's payoff matrix the transpose of player \
                    1's)";
    if g.num_players() != 2 {
        return Err(format!(
            "{expected}, but the game has {} player{}",
            g.num_players(),
            if g.num_players() == 1 { "" } else { "s" }
        ));
    }
    let player = |p: usize| match players.get(p) {
        Some(n) if !n.is_empty() => n.clone(),
        _ => format!("player {}", p + 1),
    };
    let n = g.num_strategies(0);
    if g.num_strategies(1) != n {
        return Err(format!(
            "{expected}, but {} has {n} strategies and {} has {}",
            player(0),
            player(1),
            g.num_strategies(1)
        ));
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
                return Err(format!(
                    "{expected}, but {}'s payoff at ({}, {}) is {} while {}'s payoff at ({}, {}) \
                     is {}",
                    player(0),
                    name_or_number(l0, i),
                    name_or_number(l1, j),
                    format_number(u1),
                    player(1),
                    name_or_number(l0, j),
                    name_or_number(l1, i),
                    format_number(u2),
                ));
            }
        }
    }
    Ok((0..n)
        .map(|i| (0..n).map(|j| g.payoff(&[i, j], 0).clone()).collect())
        .collect())
}

/// Parses `--start`: `n` comma-separated probabilities summing exactly to 1.
fn parse_start(text: &str, n: usize) -> Result<Vec<Q>, String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() != n {
        return Err(format!(
            "--start: expected {n} probabilities separated by commas (one per strategy), got {}",
            parts.len()
        ));
    }
    let x = parts
        .iter()
        .map(|p| parse_number(p).map_err(|e| format!("--start: \"{p}\": {e}")))
        .collect::<Result<Vec<Q>, String>>()?;
    if let Some(v) = x.iter().find(|v| **v < Q::default()) {
        return Err(format!(
            "--start: expected probabilities, got the negative {}",
            format_number(v)
        ));
    }
    let total: Q = x.iter().sum();
    if total != Q::from_integer(1.into()) {
        return Err(format!(
            "--start: the probabilities sum to {}, not 1",
            format_number(&total)
        ));
    }
    Ok(x)
}

/// `--method replicator`: integrates the replicator dynamics of the
/// symmetric game `g` from the uniform state (or `--start`) to
/// [`REPLICATOR_HORIZON`] with the integrator's default tolerances, and
/// reports the end point as the symmetric profile in which both players use
/// it, with an exact ESS check when the end point is confirmed exactly.
fn replicator_report(
    g: &NormalFormGame<Q>,
    players: Vec<String>,
    labels: Vec<Vec<String>>,
    a: &SolveArgs,
) -> Result<Report, String> {
    let aq = symmetric_matrix(g, &players, &labels)?;
    let n = aq.len();
    let af: Vec<Vec<f64>> = aq
        .iter()
        .map(|row| row.iter().map(to_f64).collect())
        .collect();
    let (x0, from) = match &a.start {
        None => (vec![1.0 / n as f64; n], "the uniform state".to_string()),
        Some(s) => (
            parse_start(s, n)?.iter().map(to_f64).collect(),
            format!(
                "the state ({})",
                s.split(',').map(str::trim).collect::<Vec<_>>().join(", ")
            ),
        ),
    };
    let tr = replicator(&af, &x0, REPLICATOR_HORIZON, &OdeOptions::default())
        .map_err(|e| e.to_string())?;
    let x = tr.states.last().cloned().unwrap_or_else(|| x0.clone());
    let ax: Vec<f64> = af
        .iter()
        .map(|row| row.iter().zip(&x).map(|(aij, xj)| aij * xj).sum())
        .collect();
    let value: f64 = x.iter().zip(&ax).map(|(xi, axi)| xi * axi).sum();
    let regret = ax.iter().fold(0.0f64, |m, v| m.max(v - value));
    let scale = af.iter().flatten().fold(1.0f64, |m, v| m.max(v.abs()));
    let solution = float_solution(g, &[x.clone(), x.clone()], &[value, value]);
    let exact: Option<Vec<Q>> = solution.probs[0]
        .iter()
        .map(|v| match v {
            Num::Exact(q) => Some(q.clone()),
            Num::Float(_) => None,
        })
        .collect();
    let tol = REPLICATOR_REGRET_TOL * scale;
    let equilibrium = exact.is_some() || regret <= tol;
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
    } else if exact.is_none() {
        notes.push(format!(
            "the end point is an approximate equilibrium (a pure strategy earns at most \
             {regret:.3e} more than the population); it is not confirmed exactly"
        ));
    }
    let mut ess_note = None;
    let ess = match &exact {
        Some(xq) => match is_ess(&aq, xq) {
            Ok(b) => Some(b),
            Err(e) => {
                ess_note = Some(format!("undecided ({e})"));
                None
            }
        },
        None => None,
    };
    let ess_text = match (ess, ess_note) {
        (Some(true), _) => "yes".to_string(),
        (Some(false), _) => "no".to_string(),
        (None, Some(t)) => t,
        (None, None) if equilibrium => {
            "undecided (the end point is not confirmed exactly)".to_string()
        }
        (None, None) => "not checked (the end point is not an equilibrium)".to_string(),
    };
    notes.push(format!("evolutionarily stable strategy (ESS): {ess_text}"));
    let extra = vec![(
        "replicator",
        json!({
            "start": x0,
            "t_end": REPLICATOR_HORIZON,
            "accepted_steps": tr.accepted_steps,
            "rejected_steps": tr.rejected_steps,
            "max_regret": regret,
            "equilibrium": equilibrium,
            "ess": ess,
        }),
    )];
    Ok(Report {
        method: Method::Replicator,
        tag: if equilibrium { "NE" } else { "STATE" },
        representation: "mixed",
        players,
        labels,
        solutions: vec![solution],
        notes,
        extra,
    })
}

fn text(r: &Report, exact: bool, digits: usize) -> String {
    let mut out = String::new();
    for s in &r.solutions {
        out.push_str(r.tag);
        for p in &s.probs {
            for x in p {
                out.push(',');
                out.push_str(&x.text(exact, digits));
            }
        }
        out.push('\n');
    }
    out
}

fn json_report(r: &Report, file: &str) -> Value {
    let exact_list = |v: &[Num]| -> Value {
        let all: Option<Vec<String>> = v
            .iter()
            .map(|x| match x {
                Num::Exact(q) => Some(format_number(q)),
                Num::Float(_) => None,
            })
            .collect();
        all.map_or(Value::Null, |v| json!(v))
    };
    let floats = |v: &[Num]| -> Value { json!(v.iter().map(Num::float).collect::<Vec<_>>()) };
    let equilibria: Vec<Value> = r
        .solutions
        .iter()
        .map(|s| {
            let is_exact = s
                .probs
                .iter()
                .flatten()
                .chain(&s.payoffs)
                .all(|x| matches!(x, Num::Exact(_)));
            let players: Vec<Value> = s
                .probs
                .iter()
                .enumerate()
                .map(|(p, probs)| {
                    json!({
                        "player": r.players.get(p).cloned().unwrap_or_default(),
                        "probabilities": exact_list(probs),
                        "probabilities_float": floats(probs),
                        "payoff": match &s.payoffs[p] {
                            Num::Exact(q) => json!(format_number(q)),
                            Num::Float(_) => Value::Null,
                        },
                        "payoff_float": s.payoffs[p].float(),
                    })
                })
                .collect();
            json!({ "exact": is_exact, "players": players })
        })
        .collect();
    let mut doc = json!({
        "file": file,
        "method": r.method.name(),
        "kind": r.tag,
        "representation": r.representation,
        "players": r.players,
        "labels": r.labels,
        "notes": r.notes,
        "equilibria": equilibria,
    });
    if let Value::Object(map) = &mut doc {
        for (key, value) in &r.extra {
            map.insert((*key).to_string(), value.clone());
        }
    }
    doc
}
