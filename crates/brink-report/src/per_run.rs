//! `run --per-run FILE.csv`: one row per run, so that a user can find the runs that
//! ended a certain way and replay them (`brink replay SCENARIO -s SEED -r RUN`).
//!
//! Rows are formatted by [`PerRunTable::row`] (on the runner's worker threads, see
//! `brink_mc::run_batch_each`) and appended in run-index order by [`PerRunFile`],
//! which streams them to a temporary file beside the target and renames it into place
//! on [`PerRunFile::commit`]: memory does not grow with the number of runs, and an
//! interrupted batch leaves no half-written file.
//!
//! Columns: `run` (index), `seed` (the master seed: run `run` of the batch with this
//! seed), `outcome`, `equilibrium` (the classifier's label, as in `equilibria.csv`),
//! `bayes_nash` and `qre` (each only when the scenario enables that concept),
//! `regret_true`, `regret_interim` (ε under true types and under beliefs), `rounds`,
//! then each state variable's final value (named by the variable; `final_NAME` if
//! the name is one of the columns before), then `payoff_AGENT` per agent. Numbers at
//! full precision; an undefined number (NaN) is an empty cell.

use std::path::{Path, PathBuf};

use brink_core::{CompiledScenario, RunResult};

use crate::error::ReportError;
use crate::fsio::AtomicFile;
use crate::summary::equilibrium_label;

/// Formats the rows of a per-run table for one batch (scenario and master seed).
pub struct PerRunTable<'a> {
    scenario: &'a CompiledScenario,
    seed: String,
    bayes_nash: bool,
    qre: bool,
}

impl<'a> PerRunTable<'a> {
    /// The table of the batch of `scenario` with master seed `seed`.
    pub fn new(scenario: &'a CompiledScenario, seed: u64) -> Self {
        let c = &scenario.classification.concepts;
        PerRunTable {
            scenario,
            seed: seed.to_string(),
            bayes_nash: c.bayes_nash,
            qre: c.qre,
        }
    }

    /// The column names, in order.
    pub fn columns(&self) -> Vec<String> {
        let mut cols: Vec<String> = ["run", "seed", "outcome", "equilibrium"]
            .map(String::from)
            .to_vec();
        if self.bayes_nash {
            cols.push("bayes_nash".into());
        }
        if self.qre {
            cols.push("qre".into());
        }
        cols.extend(["regret_true", "regret_interim", "rounds"].map(String::from));
        let fixed = cols.len();
        for v in &self.scenario.state {
            let clash = cols[..fixed].contains(&v.name);
            cols.push(match clash {
                true => format!("final_{}", v.name),
                false => v.name.clone(),
            });
        }
        cols.extend(
            self.scenario
                .agents
                .iter()
                .map(|a| format!("payoff_{}", a.name)),
        );
        cols
    }

    /// The header line (CSV, with its newline).
    pub fn header(&self) -> String {
        csv_line(self.columns())
    }

    /// The line of run `index` (CSV, with its newline).
    pub fn row(&self, index: u64, run: &RunResult) -> String {
        let s = self.scenario;
        let mut cells = vec![
            index.to_string(),
            self.seed.clone(),
            s.outcomes
                .get(run.outcome)
                .map_or_else(String::new, |o| o.name.clone()),
            equilibrium_label(s, run.equilibrium),
        ];
        if self.bayes_nash {
            cells.push(
                run.analysis
                    .bayes_nash
                    .map_or_else(String::new, |k| s.bayes_nash_label(k)),
            );
        }
        if self.qre {
            cells.push(
                run.analysis
                    .qre
                    .map_or_else(String::new, |k| s.qre_label(k)),
            );
        }
        cells.push(num(run.analysis.regret_true));
        cells.push(num(run.analysis.regret_interim));
        cells.push(run.rounds.to_string());
        cells.extend(run.final_state.iter().map(|&x| num(x)));
        cells.extend(run.payoffs.iter().map(|&x| num(x)));
        csv_line(cells)
    }
}

/// A per-run CSV file being written: rows go to a temporary file beside the target;
/// [`PerRunFile::commit`] renames it into place. Dropped without commit, nothing is
/// left behind.
pub struct PerRunFile {
    file: AtomicFile,
    path: PathBuf,
    rows: u64,
}

impl PerRunFile {
    /// Starts `path` with the header of `table`.
    pub fn create(path: &Path, table: &PerRunTable) -> Result<Self, ReportError> {
        let mut file = AtomicFile::create(path).map_err(io_error)?;
        file.write(table.header().as_bytes()).map_err(io_error)?;
        Ok(PerRunFile {
            file,
            path: path.to_owned(),
            rows: 0,
        })
    }

    /// Appends one line made by [`PerRunTable::row`].
    pub fn push(&mut self, line: &str) -> Result<(), ReportError> {
        self.rows += 1;
        self.file.write(line.as_bytes()).map_err(io_error)
    }

    /// Syncs and renames the file into place; returns its path and the number of rows.
    pub fn commit(self) -> Result<(PathBuf, u64), ReportError> {
        self.file.commit().map_err(io_error)?;
        Ok((self.path, self.rows))
    }
}

fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

fn csv_line(cells: Vec<String>) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    w.write_record(&cells).expect("write to memory");
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("UTF-8 in, UTF-8 out")
}

fn io_error(e: crate::fsio::IoError) -> ReportError {
    ReportError::Io {
        action: e.action,
        path: e.path,
        source: e.source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> CompiledScenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/chicken.toml");
        brink_core::scenario::load(&path, &[]).unwrap()
    }

    #[test]
    fn rows_have_a_cell_per_column_and_name_the_outcome_and_class() {
        let s = scenario();
        let table = PerRunTable::new(&s, u64::MAX);
        let cols = table.columns();
        assert_eq!(&cols[..4], ["run", "seed", "outcome", "equilibrium"]);
        assert_eq!(
            cols.len(),
            4 + usize::from(table.bayes_nash)
                + usize::from(table.qre)
                + 3
                + s.state.len()
                + s.agents.len()
        );
        let mut engine = brink_core::Engine::new(std::sync::Arc::new(s.clone()));
        let run = engine.run(7, 5).clone();
        let line = table.row(5, &run);
        let doc = format!("{}{line}", table.header());
        let mut r = csv::Reader::from_reader(doc.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(rec.len(), cols.len());
        assert_eq!(&rec[0], "5");
        assert_eq!(&rec[1], "18446744073709551615");
        assert_eq!(&rec[2], s.outcomes[run.outcome].name);
        assert_eq!(&rec[3], s.equilibrium_label(run.equilibrium));
        assert_eq!(rec[cols.len() - 1].parse::<f64>().unwrap(), run.payoffs[1]);
    }
}
