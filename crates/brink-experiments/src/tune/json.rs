//! `tune.json`: the tuning result with named fields, recording what was asked
//! (targets, ranges, fixed values, runs, seed) and of which scenario (path and
//! SHA-256), so a result can be audited and reproduced.

use std::path::Path;

use serde_json::{Value, json};

use super::{TuneResult, TuneSpec};

/// `(name, frequency, low, high)` rows as objects.
fn frequencies(rows: &[(String, f64, f64, f64)]) -> Vec<Value> {
    rows.iter()
        .map(|(outcome, f, lo, hi)| {
            json!({"outcome": outcome, "frequency": f, "ci95_low": lo, "ci95_high": hi})
        })
        .collect()
}

/// The `tune.json` document of `r`, a tuning of the scenario file `scenario` as
/// `spec` asked. Seeds are strings (see `brink_report::seed_json`); the layout
/// version is `brink_report::summary::FORMAT_VERSION`, as in `summary.json`.
pub fn result_json(scenario: &Path, spec: &TuneSpec, r: &TuneResult) -> String {
    let sha256 = std::fs::read(scenario)
        .map(|b| crate::sweep::sha256_hex(&b))
        .unwrap_or_default();
    let named = |pairs: &[(String, f64)]| -> Vec<Value> {
        pairs
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect()
    };
    let doc = json!({
        "brink_version": env!("CARGO_PKG_VERSION"),
        "scenario_path": scenario.display().to_string(),
        "scenario_sha256": sha256,
        "seed": spec.seed.to_string(),
        "runs": spec.runs,
        "budget": spec.budget,
        "weighted": spec.weighted,
        "set": named(&spec.base_overrides),
        "ranges": spec.ranges.iter().map(|p| json!({"name": p.name, "lo": p.lo, "hi": p.hi, "log": p.log})).collect::<Vec<_>>(),
        "targets": spec.targets.iter().map(|t| json!({"outcome": t.outcome, "frequency": t.frequency})).collect::<Vec<_>>(),
        "best": named(&r.best),
        "objective": r.objective,
        "frequencies": frequencies(&r.frequencies),
        "evaluations": r.evaluations,
        "converged": r.converged,
        "confirmation_seed": r.confirmation_seed.to_string(),
        "confirmation": frequencies(&r.confirmation),
        "confirmation_objective": r.confirmation_objective,
        "trace": r.trace.iter().map(|t| json!({
            "evaluation": t.evaluation,
            "parameters": named(&r.best.iter().zip(&t.x).map(|((n, _), x)| (n.clone(), *x)).collect::<Vec<_>>()),
            "objective": t.value,
            "best_objective": t.best_value,
        })).collect::<Vec<_>>(),
    });
    // `format_version` first, as in every brink JSON document.
    brink_report::summary::versioned_json(&doc).expect("JSON values serialise")
}
