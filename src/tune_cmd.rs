//! `brink tune`: find parameter values whose simulated outcome frequencies match
//! target frequencies (e.g. an expert forecast).

use std::fmt::Write as _;
use std::path::PathBuf;

use brink_core::scenario::parse_override;
use brink_experiments::design::ParamRange;
use brink_experiments::tune::{self, Target, TuneError, TuneResult, TuneSpec};

use crate::{TraceFormat, emit};

/// Arguments of `brink tune`.
#[derive(clap::Args, Debug)]
pub struct TuneArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// A target frequency, OUTCOME=FREQ, e.g. interim_deal=0.3 (repeatable).
    #[arg(long = "target", value_name = "OUTCOME=FREQ", value_parser = Target::parse, required = true)]
    pub targets: Vec<Target>,
    /// A parameter to tune and its search interval, NAME=LO..HI or NAME=LO..HI:log (repeatable).
    #[arg(long = "param", value_name = "NAME=LO..HI", value_parser = ParamRange::parse, required = true)]
    pub params: Vec<ParamRange>,
    /// Maximum number of evaluations (each is a batch of --runs runs).
    #[arg(long, default_value_t = 60)]
    pub budget: usize,
    /// Runs per evaluation.
    #[arg(short = 'n', long, default_value_t = 4000)]
    pub runs: u64,
    /// Master seed of every evaluation (common random numbers).
    #[arg(short, long, default_value_t = 2021, allow_negative_numbers = true)]
    pub seed: u64,
    /// Fixed values of other parameters, e.g. --set oil_squeeze=0.8 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_override)]
    pub set: Vec<(String, f64)>,
    /// Weight squared errors by 1 / (t(1-t) + 0.01), so rare targets count as much as common ones.
    #[arg(long)]
    pub weighted: bool,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// Also write tune.json (result and objective trace) and trace.csv here.
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Report on standard output: text (a summary) or json (the content of tune.json).
    #[arg(short, long, value_enum, default_value_t = TraceFormat::Text, hide_possible_values = true)]
    pub format: TraceFormat,
    /// No progress output.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `brink tune`.
pub fn run(a: TuneArgs) -> Result<(), String> {
    let spec = TuneSpec {
        ranges: a.params.clone(),
        targets: a.targets.clone(),
        runs: a.runs,
        seed: a.seed,
        budget: a.budget,
        threads: a.threads,
        base_overrides: a.set.clone(),
        start: None,
        weighted: a.weighted,
    };
    let bar = crate::progress_bar(a.quiet, a.budget as u64, "tuning", "evaluations");
    let result =
        tune::tune(&a.scenario, &spec, &|n| bar.set_position(n as u64)).map_err(tune_message)?;
    bar.finish_and_clear();
    let json = tune::result_json(&a.scenario, &spec, &result);
    if let Some(dir) = &a.out {
        let [json_path, csv_path] =
            tune::write_outputs(dir, &result, &json).map_err(|e| e.to_string())?;
        eprintln!("wrote {} and {}", json_path.display(), csv_path.display());
    }
    match a.format {
        TraceFormat::Json => emit(&json),
        TraceFormat::Text => emit(&report(&a, &result)),
    }
}

/// The message for a tuning error, naming the flag concerned.
fn tune_message(e: TuneError) -> String {
    match e {
        TuneError::NoThreads => "--threads must be at least 1".into(),
        TuneError::Runner(e) => crate::mc_message(e),
        TuneError::Scenario(e) => crate::scenario_message(&e),
        e => e.to_string(),
    }
}

fn report(a: &TuneArgs, r: &TuneResult) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Tuned {} ({} evaluations of {} runs, seed {}, {}):",
        a.scenario.display(),
        r.evaluations,
        a.runs,
        a.seed,
        if r.converged {
            "converged"
        } else {
            "budget exhausted"
        }
    );
    for (name, v) in &r.best {
        let _ = writeln!(s, "  {name} = {v:.6}");
    }
    let _ = writeln!(
        s,
        "objective {:.3e} (confirmation on fresh seed {}: {:.3e})",
        r.objective, r.confirmation_seed, r.confirmation_objective
    );
    let _ = writeln!(
        s,
        "\n  outcome                     target    tuned [95% CI]              confirmation [95% CI]"
    );
    for ((name, f, lo, hi), (_, cf, clo, chi)) in r.frequencies.iter().zip(&r.confirmation) {
        let target = a
            .targets
            .iter()
            .find(|t| &t.outcome == name)
            .map_or("-".to_owned(), |t| format!("{:.1}%", 100.0 * t.frequency));
        let _ = writeln!(
            s,
            "  {name:<26} {target:>7}  {:>5.1}% [{:>5.1}%, {:>5.1}%]    {:>5.1}% [{:>5.1}%, {:>5.1}%]",
            100.0 * f,
            100.0 * lo,
            100.0 * hi,
            100.0 * cf,
            100.0 * clo,
            100.0 * chi
        );
    }
    let _ = writeln!(s, "\nobjective trace (best so far):");
    let step = (r.trace.len() / 10).max(1);
    let shown = r
        .trace
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0 || i + 1 == r.trace.len());
    for (_, t) in shown {
        let _ = writeln!(s, "  evaluation {:>4}: {:.3e}", t.evaluation, t.best_value);
    }
    s
}
