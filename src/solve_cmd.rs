//! `brink solve`: read a game file and print its equilibria.
//!
//! Reads Gambit `.nfg`/`.efg` files and brink `.toml`/`.json` game files (see
//! `brink_solve::formats`), solves them with `brink_solve::solve_file`, and
//! prints one equilibrium per line as Gambit's command-line tools do
//! (`NE,1/3,2/3,...`: every player's probabilities in turn), or JSON.

use std::path::{Path, PathBuf};

use brink_solve::budget::Budget;
use brink_solve::formats::{FileKind, GameFile, read_game_bytes};
use brink_solve::solve_file::{SolveFileError, SolveMethod, SolveOptions, solve_game_file};
use clap::ValueEnum;

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
    #[arg(short, long, value_parser = method_parser())]
    pub method: Option<SolveMethod>,
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
    /// Stop an enumeration (vertex, enum-n) whose data grow past this many MiB.
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    pub max_memory: u64,
    /// Stop an enumeration (vertex, enum-n) after this many seconds.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub timeout: Option<f64>,
    /// Start an enumeration even when its estimated size is too large.
    #[arg(long)]
    pub force: bool,
}

/// `--method`'s values: brink-solve's methods by name, each with its description
/// (one list, `SolveMethod::ALL`, in the library).
fn method_parser() -> impl clap::builder::TypedValueParser<Value = SolveMethod> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        SolveMethod::ALL
            .map(|m| PossibleValue::new(m.name()).help(m.description().trim_end_matches('.'))),
    )
    .map(|name| SolveMethod::from_name(&name).expect("the parser admits only method names"))
}

/// Output formats of `brink solve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One line per equilibrium, `NE,p1,p2,...`, as Gambit prints them.
    Text,
    /// A JSON document with exact and floating-point probabilities and payoffs.
    Json,
}

/// Runs `brink solve`.
///
/// # Errors
///
/// One line naming the file and, for malformed files, the line and column.
pub fn run(a: SolveArgs) -> Result<(), String> {
    let file = a.file.display().to_string();
    let game = load(&a.file).map_err(|e| format!("{file}: {e}"))?;
    let method = a.method.unwrap_or_else(|| SolveMethod::default_for(&game));
    for (set, flag, by) in [
        (a.label.is_some(), "--label", &["lh"][..]),
        (a.lambda.is_some(), "--lambda", &["logit"]),
        (a.timeout.is_some(), "--timeout", &["vertex", "enum-n"]),
        (a.force, "--force", &["vertex", "support", "enum-n"]),
    ] {
        if set && !by.contains(&method.name()) {
            let by = by.join(", ");
            eprintln!(
                "warning: {flag} is used by --method {by} only; ignored by --method {}",
                method.name()
            );
        }
    }
    let timeout = a
        .timeout
        .map(std::time::Duration::try_from_secs_f64)
        .transpose();
    let options = SolveOptions {
        method: Some(method),
        label: a.label,
        lambda: a.lambda,
        start: a.start.clone(),
        budget: Budget::new(
            Some(a.max_memory << 20),
            timeout.map_err(|e| format!("--timeout: {e}"))?,
        ),
        force: a.force,
    };
    let report =
        solve_game_file(&game, &options).map_err(|e| format!("{file}: {}", message(&e)))?;
    let out = match a.format {
        OutputFormat::Text => {
            for n in &report.notes {
                eprintln!("note: {n}");
            }
            eprintln!(
                "note: columns after {}: {}",
                report.tag,
                report.column_header()
            );
            report.text(a.exact, a.digits)
        }
        OutputFormat::Json => {
            brink_report::summary::versioned_json(&report.json(&file)).map_err(|e| e.to_string())?
        }
    };
    crate::emit(&out)
}

/// The user-facing text of a solver error, naming the flags involved.
fn message(e: &SolveFileError) -> String {
    match e {
        SolveFileError::StartWithoutReplicator(m) => {
            format!(
                "--start applies to --method replicator only, not {}",
                m.name()
            )
        }
        SolveFileError::Start(e) => format!("--start: {e}"),
        SolveFileError::Label { .. } => format!("--label: {e}"),
        SolveFileError::TooMuchWork { .. } => {
            format!("{e} (or --force to try within --max-memory and --timeout)")
        }
        SolveFileError::Limit { .. } => format!("{e} (limits: --max-memory, --timeout)"),
        e => e.to_string(),
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
    read_game_bytes(kind, &bytes).map_err(|e| e.to_string())
}
