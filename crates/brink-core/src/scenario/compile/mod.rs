//! Validation and compilation of a parsed scenario.

use std::ops::Range;

use toml::Spanned;

use super::error::Locator;
use super::raw::{self, OrderedMap, Quantity, SpannedStr};
use super::*;
use crate::expr::{self, Symbols, ValueType};
use crate::rules::{FictitiousPrior, Plan};

mod agents;
mod available;
mod decision;
mod effects;
mod equilibrium;
mod families;
mod interdependent;
mod outcomes;
mod parameters;
mod state;

use agents::{MAX_LEVEL, Shell, frame_layout};
pub use equilibrium::{agent_type_profiles, logit_lambda, on_logit};
use families::{Bindings, Family};

type Result<T> = std::result::Result<T, ScenarioError>;

/// Words that cannot name parameters, state variables, agents, actions or type values.
const RESERVED: &[&str] = &["round", "self", "true", "false", "and", "or", "not"];

/// Tolerance for priors summing to 1.
const PRIOR_SUM_TOLERANCE: f64 = 1e-9;

struct Compiler<'a> {
    loc: Locator<'a>,
    /// Parameters only: the names a value known at load may use.
    params: Symbols,
    /// Parameter values, to seed the symbol tables of other contexts.
    param_values: Vec<(String, f64)>,
}

pub(super) fn compile(
    src: &str,
    file: &str,
    overrides: &[(String, f64)],
) -> Result<CompiledScenario> {
    let loc = Locator { file, src };
    let raw: raw::Scenario = toml::from_str(src).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        loc.at(span, "", plain_toml_message(e.message()))
    })?;
    let mut c = Compiler {
        loc,
        params: Symbols::new("parameters"),
        param_values: Vec::new(),
    };

    let meta = &raw.scenario;
    let horizon = c.horizon(meta)?;

    let parameters = c.parameters(&raw.parameters, overrides)?;
    let state = c.state(&raw.state)?;
    let outcome_names = c.outcome_names(&raw.outcomes)?;
    let agents_raw = raw.agents.get_ref();
    if agents_raw.is_empty() {
        return Err(c
            .loc
            .at(raw.agents.span(), "agents", "expected at least one agent"));
    }

    // Agent names, actions and type-value names first: every formula may refer to them.
    let mut shells = Vec::with_capacity(agents_raw.len());
    for (i, a) in agents_raw.iter().enumerate() {
        shells.push(c.agent_shell(i, a.get_ref(), &shells, &parameters, &state)?);
    }
    let layout = frame_layout(state.len(), &shells);
    let world = c.world_symbols(&state, &shells, &layout);

    let mut agents = Vec::with_capacity(shells.len());
    for (i, (a, shell)) in agents_raw.iter().zip(&shells).enumerate() {
        agents.push(c.agent(
            i,
            a.get_ref(),
            shell,
            &shells,
            &state,
            &layout,
            &outcome_names,
        )?);
    }
    c.check_stage_size(&agents, raw.agents.span())?;

    let effects = raw
        .effects
        .iter()
        .enumerate()
        .map(|(i, e)| c.effect(i, e, &state, &world))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let outcomes = c.outcomes(&raw.outcomes, &world)?;
    let classification = c.classification(raw.equilibrium.as_ref(), &agents)?;

    Ok(CompiledScenario {
        name: meta.name.get_ref().clone(),
        title: meta.title.clone(),
        description: meta.description.clone(),
        file: file.to_owned(),
        horizon,
        round_unit: meta.round_unit.clone(),
        start: meta.start.clone(),
        parameters,
        state,
        agents,
        effects,
        outcomes,
        layout,
        classification,
    })
}

/// Whether `s` is a name: ASCII letters, digits and `_`, not starting with a digit.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The span to report for an item whose own span may be missing (`0..0`).
fn or_span(own: Range<usize>, fallback: Range<usize>) -> Range<usize> {
    if own == (0..0) { fallback } else { own }
}

impl Compiler<'_> {
    /// `[scenario]`: a non-empty name and a horizon of 1 to 1000000 rounds.
    fn horizon(&self, meta: &raw::Meta) -> Result<u32> {
        if meta.name.get_ref().trim().is_empty() {
            return Err(self.loc.at(
                meta.name.span(),
                "scenario.name",
                "expected a non-empty name",
            ));
        }
        let horizon = *meta.horizon.get_ref();
        if !(1..=1_000_000).contains(&horizon) {
            return Err(self.loc.at(
                meta.horizon.span(),
                "scenario.horizon",
                format!("expected a number of rounds from 1 to 1000000, got {horizon}"),
            ));
        }
        Ok(horizon as u32)
    }

    /// The stage game, one profile per combination of actions, must stay small enough.
    fn check_stage_size(&self, agents: &[AgentSpec], span: Range<usize>) -> Result<()> {
        let profiles = agents.iter().try_fold(1u64, |acc, a: &AgentSpec| {
            acc.checked_mul(a.actions.len() as u64)
        });
        if profiles.is_none_or(|p| p > MAX_STAGE_PROFILES) {
            let size = profiles.map_or_else(|| "more than 2^64".to_owned(), |p| p.to_string());
            return Err(self.loc.at(
            span,
            "agents",
            format!(
                "the agents' action sets make a stage game of {size} profiles; at most {MAX_STAGE_PROFILES} are supported"
            ),
        ));
        }
        Ok(())
    }

    /// A symbol table with the parameters as constants, for the given context.
    fn symbols(&self, context: &str) -> Symbols {
        let mut s = Symbols::new(context);
        for (name, v) in &self.param_values {
            s.insert_const(name, *v, ValueType::Num);
        }
        s
    }

    /// A name must be an identifier and not a reserved word.
    fn check_name(&self, name: &SpannedStr, field: &str, what: &str) -> Result<()> {
        let n = name.get_ref();
        if !is_identifier(n) {
            return Err(self.loc.at(
                name.span(),
                field,
                format!("`{n}` is not a valid name for {}; expected letters, digits and `_`, starting with a letter or `_`", article(what)),
            ));
        }
        if RESERVED.contains(&n.as_str()) {
            return Err(self.loc.at(
                name.span(),
                field,
                format!("`{n}` is a reserved word and cannot name {}", article(what)),
            ));
        }
        Ok(())
    }

    /// The index of the agent named `name`, or an error listing the agents.
    fn agent_index(&self, name: &SpannedStr, field: &str, shells: &[Shell]) -> Result<usize> {
        shells
            .iter()
            .position(|s| &s.name == name.get_ref())
            .ok_or_else(|| {
                self.loc.at(
                    name.span(),
                    field,
                    format!(
                        "unknown agent `{}`; expected one of: {}",
                        name.get_ref(),
                        names(shells)
                    ),
                )
            })
    }

    /// The optional true/false formula `when` of an effect or an outcome.
    fn condition(
        &self,
        when: Option<&SpannedStr>,
        field: &str,
        world: &Symbols,
    ) -> Result<Option<expr::Expr>> {
        when.map(|w| {
            self.formula(
                w.get_ref(),
                w.span(),
                &format!("{field}.when"),
                world,
                ValueType::Bool,
            )
        })
        .transpose()
    }

    /// Compiles a formula string found at `span`, mapping its errors to the file.
    fn formula(
        &self,
        text: &str,
        span: Range<usize>,
        field: &str,
        symbols: &Symbols,
        ty: ValueType,
    ) -> Result<expr::Expr> {
        expr::compile(text, symbols, ty).map_err(|e| {
            let at = if span == (0..0) {
                0..0
            } else {
                let start = self.loc.string_body_start(&span) + e.offset;
                start..start + e.len.max(1)
            };
            let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
            self.loc
                .at(at, field, format!("in formula `{one_line}`: {}", e.message))
        })
    }

    /// A quantity as a formula over `symbols` (a number becomes a constant).
    fn quantity(
        &self,
        q: &Spanned<Quantity>,
        fallback: Range<usize>,
        field: &str,
        symbols: &Symbols,
    ) -> Result<expr::Expr> {
        let span = or_span(q.span(), fallback);
        match q.get_ref() {
            Quantity::Number(v) => {
                if !v.is_finite() {
                    return Err(self.loc.at(
                        span,
                        field,
                        format!("expected a finite number, got {v}"),
                    ));
                }
                self.formula(&format!("{v:?}"), 0..0, field, symbols, ValueType::Num)
            }
            Quantity::Formula(text) => self.formula(text, span, field, symbols, ValueType::Num),
        }
    }

    /// A quantity that must be known at load (a number or a formula over parameters).
    fn constant(
        &self,
        q: &Spanned<Quantity>,
        fallback: Range<usize>,
        field: &str,
        symbols: &Symbols,
    ) -> Result<f64> {
        let span = or_span(q.span(), fallback);
        let e = self.quantity(q, span.clone(), field, symbols)?;
        let v = e.as_const().ok_or_else(|| {
            self.loc.at(
                span.clone(),
                field,
                "expected a value known at load (a number or a formula over parameters)",
            )
        })?;
        if !v.is_finite() {
            return Err(self.loc.at(
                span,
                field,
                format!("the value is not a finite number ({v})"),
            ));
        }
        Ok(v)
    }
}

fn names(shells: &[Shell]) -> String {
    one_of(&shells.iter().map(|s| s.name.as_str()).collect::<Vec<_>>())
}

/// `a, b, c`, or a note that there is nothing to choose from.
fn one_of(names: &[&str]) -> String {
    if names.is_empty() {
        "(none are declared)".to_owned()
    } else {
        names.join(", ")
    }
}

/// "a parameter", "an agent".
fn article(what: &str) -> String {
    let vowel = what.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {what}", if vowel { "an" } else { "a" })
}

/// A TOML/serde error message in the scenario's words rather than Rust's.
fn plain_toml_message(m: &str) -> String {
    let mut out = m.trim_end().replace('\n', "; ");
    for (rust, plain) in [
        ("expected i64", "expected an integer"),
        ("expected u64", "expected a non-negative integer"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ] {
        out = out.replace(rust, plain);
    }
    if let Some(start) = out.find("expected struct ") {
        let rest = &out[start + "expected struct ".len()..];
        let end = rest
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len());
        out.replace_range(
            start..start + "expected struct ".len() + end,
            "expected a table",
        );
    }
    out
}
