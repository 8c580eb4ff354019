//! `brink`: the command line. Parses flags, calls the library crates, prints results;
//! nothing else lives here.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use brink_core::scenario::{self, parse_override};
use brink_core::{CompiledScenario, Engine};
use brink_experiments::sweep::{self, setup::PointRunError};
use brink_mc::{BatchSpec, EachError, McError, run_batch, run_batch_each};
use brink_report::per_run::{PerRunFile, PerRunTable};
use brink_report::summary::versioned_json;
use brink_report::{Summary, describe::describe, files, render};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

mod solve_cmd;
mod sweep_cmd;
mod tune_cmd;

const DEFAULT_SCENARIO: &str = "scenarios/iran_plan_b.toml";

/// Agent-based game-theory simulation of crises between states.
///
/// Each state is an agent with utilities over outcomes and beliefs about the others.
/// A run plays a scenario round by round; many seeded runs are summarised as
/// frequencies of outcomes and of the equilibria play settled in, with 95% Wilson
/// confidence intervals. Every run is a pure function of (scenario, seed, run index).
#[derive(Parser, Debug)]
#[command(name = "brink", version = env!("BRINK_VERSION"), about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a Monte Carlo batch of a scenario and report outcome and equilibrium frequencies.
    Run(RunArgs),
    /// Load and check a scenario file without running it.
    Validate(ValidateArgs),
    /// List a scenario's parameters (name, default, range, doc), agents, actions,
    /// types, state variables and outcomes.
    Params(ValidateArgs),
    /// Re-run exactly one run of a batch (or of a sweep) and print it round by round.
    Replay(ReplayArgs),
    /// Sweep parameters over a design (grid, Latin hypercube, Sobol, Morris), many runs
    /// per point, with checkpoints, shards and sensitivity indices.
    Sweep(sweep_cmd::SweepArgs),
    /// Solve a game file (Gambit .nfg/.efg, brink .toml/.json) and print its equilibria.
    Solve(solve_cmd::SolveArgs),
    /// Combine the shard directories of a sweep into one, byte-identical to an
    /// unsharded sweep.
    Merge(sweep_cmd::MergeArgs),
    /// Tune parameters so that simulated outcome frequencies match targets.
    Tune(tune_cmd::TuneArgs),
    /// Print a shell completion script, e.g. `brink completions bash > ~/.local/share/bash-completion/completions/brink`.
    Completions {
        /// Shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `brink man > brink.1 && man ./brink.1`.
    Man,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Scenario file (TOML).
    #[arg(default_value = DEFAULT_SCENARIO)]
    scenario: PathBuf,
    /// Number of runs.
    #[arg(short = 'n', long, default_value_t = 100_000)]
    runs: u64,
    /// Master seed; run i is seeded from (seed, i).
    #[arg(short, long, default_value_t = 2021, allow_negative_numbers = true)]
    seed: u64,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Override a scenario parameter, e.g. --set oil_squeeze=0.8 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_override)]
    set: Vec<(String, f64)>,
    /// Also write summary.json, outcomes.csv, equilibria.csv, SVG charts and report.html here.
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Format of the report on standard output.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also write one CSV row per run (run, seed, outcome, equilibrium class, rounds,
    /// final state, payoffs) to this file, streamed; replay a row with `brink replay`.
    #[arg(long, value_name = "FILE.csv")]
    per_run: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// A readable table.
    Table,
    /// summary.json.
    Json,
    /// Outcome and equilibrium frequencies as CSV.
    Csv,
}

#[derive(clap::Args, Debug)]
struct ValidateArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Override a scenario parameter, e.g. --set oil_squeeze=0.8 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_override)]
    set: Vec<(String, f64)>,
}

#[derive(clap::Args, Debug)]
struct ReplayArgs {
    /// Scenario file (TOML).
    #[arg(default_value = DEFAULT_SCENARIO, conflicts_with = "from")]
    scenario: PathBuf,
    /// Master seed of the batch.
    #[arg(
        short,
        long,
        default_value_t = 2021,
        conflicts_with = "from",
        allow_negative_numbers = true
    )]
    seed: u64,
    /// Index of the run within the batch or sweep point (0-based).
    #[arg(short, long)]
    run: u64,
    /// Override a scenario parameter, as in the batch (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_override, conflicts_with = "from")]
    set: Vec<(String, f64)>,
    /// Replay a run of the sweep in this directory (scenario, seed and values from its manifest).
    #[arg(long, value_name = "DIR", requires = "point")]
    from: Option<PathBuf>,
    /// With --from: the sweep point.
    #[arg(long, requires = "from")]
    point: Option<usize>,
    /// Output format of the trace.
    #[arg(short, long, value_enum, default_value_t = TraceFormat::Text)]
    format: TraceFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum TraceFormat {
    /// Round by round, for reading.
    Text,
    /// The whole trace as JSON.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run(a),
        Command::Validate(a) => validate(a),
        Command::Params(a) => load(&a.scenario, &a.set).and_then(|s| emit(&describe(&s))),
        Command::Replay(a) => replay(a),
        Command::Sweep(a) => sweep_cmd::sweep(a),
        Command::Merge(a) => sweep_cmd::merge(a),
        Command::Tune(a) => tune_cmd::run(a),
        Command::Solve(a) => solve_cmd::run(a),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "brink", &mut out);
            emit(&String::from_utf8_lossy(&out))
        }
        Command::Man => {
            let mut out = Vec::new();
            let man = clap_mangen::Man::new(Cli::command()).render(&mut out);
            man.map_err(|e| e.to_string())
                .and_then(|()| emit(&String::from_utf8_lossy(&out)))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn load(path: &Path, set: &[(String, f64)]) -> Result<Arc<CompiledScenario>, String> {
    // The default scenario, from any directory: the one in the source tree.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_SCENARIO);
    let path = match path == Path::new(DEFAULT_SCENARIO) && !path.exists() {
        true if src.exists() => &src,
        true => {
            return Err(format!(
                "no scenario given, and the default {DEFAULT_SCENARIO} is not under the current directory: pass a scenario file, e.g. `brink run path/to/iran_plan_b.toml`"
            ));
        }
        false => path,
    };
    scenario::load(path, set)
        .map(Arc::new)
        .map_err(|e| scenario_message(&e))
}

/// The message for a scenario error; an override is what --set gave.
pub(crate) fn scenario_message(e: &scenario::ScenarioError) -> String {
    match &e.field {
        Some(name) if e.overridden => format!("{}: --set {name}: {}", e.file, e.message),
        _ => e.to_string(),
    }
}

fn run(a: RunArgs) -> Result<(), String> {
    if a.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    let scenario = load(&a.scenario, &a.set)?;
    if let Some(dir) = &a.out {
        files::prepare_output_dir(dir).map_err(|e| e.to_string())?;
    }
    let bar = progress_bar(a.quiet, a.runs, &scenario.name, "runs");
    let spec = BatchSpec {
        seed: a.seed,
        runs: a.runs,
        threads: a.threads,
    };
    let progress = |n| bar.inc(n);
    let aggregate = match &a.per_run {
        None => run_batch(&scenario, spec, &progress).map_err(mc_message)?,
        Some(path) => {
            let table = PerRunTable::new(&scenario, a.seed);
            let mut file = PerRunFile::create(path, &table).map_err(|e| e.to_string())?;
            let row = |i, r: &_| table.row(i, r);
            let agg = run_batch_each(&scenario, spec, &progress, &row, |l| file.push(&l)).map_err(
                |e| match e {
                    EachError::Batch(e) => mc_message(e),
                    EachError::Sink(e) => e.to_string(),
                },
            )?;
            let (path, rows) = file.commit().map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            eprintln!("wrote {} ({rows} runs)", path.display());
            agg
        }
    };
    bar.finish_and_clear();

    let summary = summarise(&scenario, &a.scenario, a.seed, &aggregate)?;
    let text = match a.format {
        Format::Table => render::table(&summary),
        Format::Json => render::json(&summary),
        Format::Csv => render::csv(&summary),
    };
    emit(&text)?;
    if let Some(dir) = &a.out {
        let histograms: Vec<_> = aggregate
            .final_state
            .iter()
            .map(|v| v.histogram.as_ref())
            .collect();
        let written =
            files::write_outputs(dir, &summary, &histograms).map_err(|e| e.to_string())?;
        for p in written {
            eprintln!("wrote {}", p.display());
        }
    }
    Ok(())
}

/// A progress bar with rate and ETA on stderr for `total` `unit`s, hidden when stderr
/// is not a terminal (so never in redirected output).
pub(crate) fn progress_bar(quiet: bool, total: u64, message: &str, unit: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{msg}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{per_sec}}, eta {{eta}})"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(message.to_owned());
    bar
}

fn summarise(
    scenario: &CompiledScenario,
    path: &Path,
    seed: u64,
    aggregate: &brink_mc::BatchAggregate,
) -> Result<Summary, String> {
    Summary::of_batch(scenario, &path.display().to_string(), seed, aggregate)
        .map_err(|e| e.to_string())
}

fn validate(a: ValidateArgs) -> Result<(), String> {
    let s = load(&a.scenario, &a.set)?;
    emit(&format!(
        "ok: {} — {} agents, {} state variables, {} parameters, {} outcomes, horizon {} rounds, stage game of {} profiles\n",
        s.name,
        s.agents.len(),
        s.state.len(),
        s.parameters.len(),
        s.outcomes.len(),
        s.horizon,
        s.num_profiles()
    ))
}

fn replay(a: ReplayArgs) -> Result<(), String> {
    let (scenario, seed) = match (&a.from, a.point) {
        (Some(dir), Some(point)) => {
            let run = sweep::setup::point_run(dir, point).map_err(|e| match e {
                PointRunError::NoSuchPoint { .. } => format!("--point {point}: {e}"),
                PointRunError::Setup(e) => sweep_cmd::setup_message(e),
                PointRunError::Sweep(e) => e.to_string(),
            })?;
            (load(&run.scenario, &run.overrides)?, run.seed)
        }
        _ => (load(&a.scenario, &a.set)?, a.seed),
    };
    let mut engine = Engine::new(scenario);
    let (_, trace) = engine.run_traced(seed, a.run);
    match a.format {
        TraceFormat::Text => emit(&trace.to_string()),
        TraceFormat::Json => emit(&versioned_json(&trace).map_err(|e| e.to_string())?),
    }
}

/// The message for a batch runner error, naming the flag concerned.
pub(crate) fn mc_message(e: McError) -> String {
    match e {
        McError::NoThreads => "--threads must be at least 1".into(),
        e => e.to_string(),
    }
}

/// Writes to standard output; a reader that went away (`brink ... | head`) is not an
/// error.
pub(crate) fn emit(text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}
