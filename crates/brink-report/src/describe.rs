//! `brink params`: what a scenario offers to change and what it can produce, as
//! plain text: parameters (name, default, range, doc), agents with their actions
//! and private types, state variables and outcomes.

use std::fmt::Write;

use brink_core::CompiledScenario;

/// The description of `s`; parameters overridden with `--set` show their value.
pub fn describe(s: &CompiledScenario) -> String {
    let mut out = String::new();
    let title = s
        .title
        .as_deref()
        .map_or(String::new(), |t| format!(" — {t}"));
    let _ = writeln!(out, "scenario {}{title} ({})", s.name, s.file);
    let _ = writeln!(
        out,
        "\nparameters ({}; change with --set NAME=VALUE):",
        s.parameters.len()
    );
    let _ = writeln!(
        out,
        "  {:<24} {:>10}  {:<20} doc",
        "name", "default", "range"
    );
    for p in &s.parameters {
        let range = p
            .range
            .map_or("-".into(), |(lo, hi)| format!("{lo} .. {hi}"));
        let set = if p.value == p.default {
            String::new()
        } else {
            format!(" [set to {}]", p.value)
        };
        let doc = p
            .doc
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "  {:<24} {:>10}  {:<20} {doc}{set}",
            p.name, p.default, range
        );
    }
    let _ = writeln!(out, "\nagents ({}), in profile order:", s.agents.len());
    for a in &s.agents {
        let _ = writeln!(out, "  {}: actions {}", a.name, a.actions.join(", "));
        if a.types.len() > 1 || a.types.first().is_some_and(|t| t.name != "default") {
            let types: Vec<String> = a
                .types
                .iter()
                .map(|t| format!("{} (prior {})", t.name, t.prior))
                .collect();
            let _ = writeln!(out, "    types: {}", types.join(", "));
        }
    }
    let _ = writeln!(out, "\nstate variables ({}):", s.state.len());
    for v in &s.state {
        let doc = v
            .doc
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(out, "  {:<24} {:>10}  {doc}", v.name, v.initial);
    }
    let outcomes: Vec<&str> = s.outcomes.iter().map(|o| o.name.as_str()).collect();
    let _ = writeln!(
        out,
        "\noutcomes ({}): {}",
        outcomes.len(),
        outcomes.join(", ")
    );
    let _ = writeln!(out, "horizon: {} rounds", s.horizon);
    out
}
