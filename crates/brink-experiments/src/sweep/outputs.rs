//! The outputs of a parameter sweep: `points.csv` (one row per point, stable column
//! order) and `summary.json`, streamed point by point from the sweep directory and
//! written atomically. Memory does not grow with the number of points, except for the
//! outcome frequencies a sensitivity analysis needs (8 bytes per point and outcome).

use std::path::{Path, PathBuf};

use brink_core::{CompiledScenario, EquilibriumClass};
use brink_mc::BatchAggregate;
use brink_report::ReportError;
use brink_report::fsio::AtomicFile;
use brink_report::html::REPORT_FILE;
use brink_report::html::sweep::{AxisBins, MAX_POINT_ROWS, SweepReport, sweep_report};
use brink_report::summary::{
    EquilibriumFrequency, OutcomeFrequency, Parameter, Summary, SummaryMeta, equilibrium_label,
};
use brink_report::sweep_tables::{
    Overview, POINTS_LONG_FILE, SENSITIVITY_FILE, points_long_header, points_long_rows,
    sensitivity_csv,
};
use serde::Serialize;

use super::{Manifest, PointsHasher, SWEEP_FORMAT, read_point};
use crate::design::{DesignError, DesignSpec};
use crate::sensitivity::SensitivityError;

/// Names of the files [`write_sweep_outputs`] writes (and, when the design has
/// sensitivity indices, `sensitivity.csv` after them).
pub const SWEEP_FILES: [&str; 4] = ["points.csv", "summary.json", REPORT_FILE, POINTS_LONG_FILE];

/// What [`write_sweep_outputs`] wrote, and the overview for the terminal.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepOutputs {
    /// The files written, in the order of [`SWEEP_FILES`] (then `sensitivity.csv`).
    pub written: Vec<PathBuf>,
    /// The head of the per-point table and the sensitivity indices, as text.
    pub overview: String,
}

/// One point of a sweep in `summary.json`.
#[derive(Serialize)]
struct PointSummary<'a> {
    point: usize,
    parameters: Vec<Parameter>,
    runs: u64,
    outcomes: &'a [OutcomeFrequency],
    equilibria: &'a [EquilibriumFrequency],
}

/// The sweep-level part of `summary.json`.
#[derive(Serialize)]
struct SweepHeader<'a> {
    format_version: u32,
    sweep_format: u32,
    brink_version: &'a str,
    scenario: &'a str,
    scenario_path: &'a str,
    scenario_sha256: &'a str,
    #[serde(with = "brink_report::seed_json")]
    seed: u64,
    runs_per_point: u64,
    base_overrides: &'a [(String, f64)],
    parameters: &'a [String],
    design: &'a DesignSpec,
}

/// Outcome frequencies of every point, per outcome (`[outcome][point]`): the
/// responses a sensitivity analysis reads.
pub type Responses = Vec<Vec<f64>>;

/// A sensitivity analysis for [`write_sweep_outputs`]: from the [`Responses`], the
/// `sensitivity` section of `summary.json` (None: `null`).
pub type Analysis<'a> = dyn Fn(&Responses) -> Result<Option<serde_json::Value>, AnalysisError> + 'a;

/// Why an [`Analysis`] of a sweep's responses failed.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The recorded design could not be rebuilt.
    #[error(transparent)]
    Design(#[from] DesignError),
    /// The indices could not be computed.
    #[error(transparent)]
    Sensitivity(#[from] SensitivityError),
    /// The indices could not be converted to JSON.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Writes `points.csv` and `summary.json` into `dir` from its finished point files.
/// `scenario` is the scenario compiled with the base overrides (for names and labels).
/// `analyse`, if given, receives the outcome frequencies per outcome and point and
/// returns the sensitivity section of `summary.json` (`null` when it returns None, or
/// without `analyse`); its error fails the whole write. Only with `analyse` are the
/// frequencies kept (`points × outcomes` f64); everything else is streamed, one point
/// at a time.
pub fn write_sweep_outputs(
    dir: &Path,
    manifest: &Manifest,
    scenario: &CompiledScenario,
    analyse: Option<&Analysis<'_>>,
) -> Result<SweepOutputs, ReportError> {
    let mismatch = |what: String| ReportError::Mismatch { what };
    let mut sampler = manifest.sampler().map_err(|e| mismatch(e.to_string()))?;
    let csv_path = dir.join(SWEEP_FILES[0]);
    let json_path = dir.join(SWEEP_FILES[1]);
    let mut csv = AtomicFile::create(&csv_path).map_err(io_error)?;
    let mut json = AtomicFile::create(&json_path).map_err(io_error)?;
    let long_path = dir.join(SWEEP_FILES[3]);
    let mut long = AtomicFile::create(&long_path).map_err(io_error)?;
    long.write(points_long_header(&manifest.parameters).as_bytes())
        .map_err(io_error)?;
    let outcome_names: Vec<String> = scenario.outcomes.iter().map(|o| o.name.clone()).collect();
    let mut overview = Overview::new(&manifest.parameters, &outcome_names);

    // Header row: point, parameters, runs, then per outcome count/freq/interval,
    // then the share of runs not settled in an equilibrium.
    let mut header = vec!["point".to_owned()];
    header.extend(manifest.parameters.iter().cloned());
    header.push("runs".into());
    for o in &scenario.outcomes {
        for suffix in ["count", "freq", "ci95_low", "ci95_high"] {
            header.push(format!("{}_{suffix}", o.name));
        }
    }
    header.extend([
        "not_an_equilibrium_count".into(),
        "not_an_equilibrium_freq".into(),
    ]);
    csv.write(csv_line(&header).as_bytes()).map_err(io_error)?;

    let head = SweepHeader {
        format_version: brink_report::summary::FORMAT_VERSION,
        sweep_format: SWEEP_FORMAT,
        brink_version: &manifest.brink_version,
        scenario: &manifest.scenario_name,
        scenario_path: &manifest.scenario_path,
        scenario_sha256: &manifest.scenario_sha256,
        seed: manifest.seed,
        runs_per_point: manifest.runs,
        base_overrides: &manifest.base_overrides,
        parameters: &manifest.parameters,
        design: &manifest.design,
    };
    let head_json = serde_json::to_string_pretty(&head).expect("serialisable");
    // Open the object, keep the header fields, and start the points array.
    json.write(head_json.trim_end_matches('}').trim_end().as_bytes())
        .map_err(io_error)?;
    json.write(b",\n  \"points\": [").map_err(io_error)?;

    let mut responses: Responses = match analyse {
        Some(_) => vec![Vec::with_capacity(manifest.points); scenario.outcomes.len()],
        None => Vec::new(),
    };
    let mut hasher = PointsHasher::new(manifest.parameters.len());
    // For report.html: outcome counts pooled along each parameter, the first points.
    let mut axes: Vec<AxisBins> = manifest
        .design
        .ranges
        .iter()
        .map(|r| {
            AxisBins::new(
                &r.name,
                r.lo,
                r.hi,
                r.log,
                manifest.points,
                scenario.outcomes.len(),
            )
        })
        .collect();
    let mut shown_points = Vec::new();
    for p in 0..manifest.points {
        let values = hasher.add(&mut sampler, p).to_vec();
        let agg: BatchAggregate = read_point(dir, p)
            .map_err(|e| ReportError::Mismatch {
                what: e.to_string(),
            })?
            .ok_or_else(|| ReportError::Mismatch {
                what: format!("point {p} of the sweep is not finished"),
            })?;
        let meta =
            SummaryMeta::for_scenario(scenario, &manifest.scenario_path, manifest.seed, agg.runs);
        let summary = Summary::new(&meta, &agg, |c| equilibrium_label(scenario, c))?;
        let parameters: Vec<Parameter> = manifest
            .parameters
            .iter()
            .zip(&values)
            .map(|(name, &value)| Parameter {
                name: name.clone(),
                value,
            })
            .collect();

        let mut row = vec![p.to_string()];
        row.extend(values.iter().map(|v| v.to_string()));
        row.push(agg.runs.to_string());
        for o in &summary.outcomes {
            row.extend([
                o.count.to_string(),
                o.frequency.to_string(),
                o.ci95_low.to_string(),
                o.ci95_high.to_string(),
            ]);
        }
        let nae = summary
            .equilibria
            .iter()
            .find(|e| e.class == EquilibriumClass::NotAnEquilibrium);
        row.push(nae.map_or(0, |e| e.count).to_string());
        row.push(nae.map_or(0.0, |e| e.frequency).to_string());
        csv.write(csv_line(&row).as_bytes()).map_err(io_error)?;
        long.write(points_long_rows(p, &values, agg.runs, &summary.outcomes).as_bytes())
            .map_err(io_error)?;
        overview.add(p, &values, agg.runs, &summary.outcomes);

        for (r, o) in responses.iter_mut().zip(&summary.outcomes) {
            r.push(o.frequency);
        }
        let point = PointSummary {
            point: p,
            parameters,
            runs: agg.runs,
            outcomes: &summary.outcomes,
            equilibria: &summary.equilibria,
        };
        for (axis, &x) in axes.iter_mut().zip(&values) {
            axis.add(x, agg.runs, &agg.outcome_counts);
        }
        if p < MAX_POINT_ROWS {
            shown_points.push(serde_json::to_value(&point).expect("serialisable"));
        }
        let text = serde_json::to_string_pretty(&point).expect("serialisable");
        json.write(if p == 0 { b"\n    " } else { b",\n    " })
            .map_err(io_error)?;
        json.write(text.replace('\n', "\n    ").as_bytes())
            .map_err(io_error)?;
    }
    let sensitivity = match analyse {
        Some(analyse) => {
            analyse(&responses).map_err(|what| mismatch(format!("sensitivity analysis: {what}")))?
        }
        None => None,
    }
    .unwrap_or(serde_json::Value::Null);
    let sens_text = serde_json::to_string_pretty(&sensitivity)
        .expect("serialisable")
        .replace('\n', "\n  ");
    json.write(format!("\n  ],\n  \"sensitivity\": {sens_text}\n}}\n").as_bytes())
        .map_err(io_error)?;
    if hasher.finish() != manifest.points_sha256 {
        return Err(mismatch(format!(
            "this brink draws the design's points differently from brink {}, which made \
             the sweep (points_sha256 differs); write its outputs with that version",
            manifest.brink_version
        )));
    }

    let sensitivity_table = sensitivity_csv(&outcome_names, &sensitivity);
    let overview = overview.render(&sensitivity);
    let mut doc = serde_json::to_value(&head).expect("serialisable");
    doc["points"] = serde_json::Value::Array(shown_points);
    doc["sensitivity"] = sensitivity;
    let report = sweep_report(&SweepReport {
        doc,
        points: manifest.points,
        outcomes: scenario.outcomes.iter().map(|o| o.name.clone()).collect(),
        axes,
    });
    let report_path = dir.join(SWEEP_FILES[2]);

    csv.commit().map_err(io_error)?;
    json.commit().map_err(io_error)?;
    brink_report::fsio::write_atomic(&report_path, report.as_bytes()).map_err(io_error)?;
    long.commit().map_err(io_error)?;
    let mut written = vec![csv_path, json_path, report_path, long_path];
    if let Some(table) = sensitivity_table {
        let path = dir.join(SENSITIVITY_FILE);
        brink_report::fsio::write_atomic(&path, table.as_bytes()).map_err(io_error)?;
        written.push(path);
    }
    Ok(SweepOutputs { written, overview })
}

fn csv_line(fields: &[String]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields).expect("in-memory CSV");
    String::from_utf8(w.into_inner().expect("in-memory CSV")).expect("UTF-8 fields")
}

fn io_error(e: brink_report::fsio::IoError) -> ReportError {
    ReportError::Io {
        action: e.action,
        path: e.path,
        source: e.source,
    }
}
