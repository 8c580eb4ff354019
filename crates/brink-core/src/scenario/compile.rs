//! Validation and compilation of a parsed scenario.

use std::ops::Range;

use toml::Spanned;

use super::error::Locator;
use super::raw::{self, OrderedMap, Quantity, SpannedStr};
use super::*;
use crate::expr::{self, Symbols, ValueType};
use crate::rules::FictitiousPrior;

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

    // [scenario]
    let meta = &raw.scenario;
    if meta.name.get_ref().trim().is_empty() {
        return Err(c.loc.at(
            meta.name.span(),
            "scenario.name",
            "expected a non-empty name",
        ));
    }
    let horizon = *meta.horizon.get_ref();
    if !(1..=1_000_000).contains(&horizon) {
        return Err(c.loc.at(
            meta.horizon.span(),
            "scenario.horizon",
            format!("expected a number of rounds from 1 to 1000000, got {horizon}"),
        ));
    }

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

    let profiles = agents.iter().try_fold(1u64, |acc, a: &AgentSpec| {
        acc.checked_mul(a.actions.len() as u64)
    });
    if profiles.is_none_or(|p| p > MAX_STAGE_PROFILES) {
        let size = profiles.map_or_else(|| "more than 2^64".to_owned(), |p| p.to_string());
        return Err(c.loc.at(
            raw.agents.span(),
            "agents",
            format!(
                "the agents' action sets make a stage game of {size} profiles; at most {MAX_STAGE_PROFILES} are supported"
            ),
        ));
    }

    let effects = raw
        .effects
        .iter()
        .enumerate()
        .map(|(i, e)| c.effect(i, e, &state, &world))
        .collect::<Result<Vec<_>>>()?;
    let outcomes = c.outcomes(&raw.outcomes, &world)?;
    let classification = c.classification(raw.equilibrium.as_ref())?;

    Ok(CompiledScenario {
        name: meta.name.get_ref().clone(),
        title: meta.title.clone(),
        description: meta.description.clone(),
        file: file.to_owned(),
        horizon: horizon as u32,
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

/// Highest reasoning level accepted (level-k, cognitive hierarchy).
const MAX_LEVEL: i64 = 20;

/// What is known of an agent before its formulas are compiled.
struct Shell {
    name: String,
    actions: Vec<String>,
    value_names: Vec<String>,
    types: Vec<TypeSpec>,
}

fn frame_layout(num_state: usize, shells: &[Shell]) -> FrameLayout {
    let round = num_state;
    let mut next = round + 1;
    let indicators = shells
        .iter()
        .map(|s| {
            let at = next;
            next += s.actions.len();
            at
        })
        .collect();
    let values = shells
        .iter()
        .map(|s| {
            let at = next;
            next += s.value_names.len();
            at
        })
        .collect();
    FrameLayout {
        round,
        indicators,
        values,
        len: next,
    }
}

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
    /// A symbol table with the parameters as constants, for the given context.
    fn symbols(&self, context: &str) -> Symbols {
        let mut s = Symbols::new(context);
        for (name, v) in &self.param_values {
            s.insert_const(name, *v, ValueType::Num);
        }
        s
    }

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

    fn parameters(
        &mut self,
        raw: &OrderedMap<SpannedStr, Spanned<raw::Param>>,
        overrides: &[(String, f64)],
    ) -> Result<Vec<Parameter>> {
        let mut out: Vec<Parameter> = Vec::with_capacity(raw.0.len());
        for (name, p) in &raw.0 {
            let field = format!("parameters.{}", name.get_ref());
            self.check_name(name, &field, "parameter")?;
            let span = or_span(p.get_ref().default.span(), p.span());
            let default = *p.get_ref().default.get_ref();
            if !default.is_finite() {
                return Err(self.loc.at(
                    span,
                    &field,
                    format!("expected a finite default, got {default}"),
                ));
            }
            let range = match &p.get_ref().range {
                None => None,
                Some(r) => {
                    let v = r.get_ref();
                    let ok = v.len() == 2 && v.iter().all(|x| x.is_finite()) && v[0] < v[1];
                    if !ok {
                        return Err(self.loc.at(
                            r.span(),
                            format!("{field}.range"),
                            format!("expected [low, high] with finite low < high, got {v:?}"),
                        ));
                    }
                    if default < v[0] || default > v[1] {
                        return Err(self.loc.at(
                            span,
                            format!("{field}.default"),
                            format!(
                                "the default {default} is outside the declared range [{}, {}]",
                                v[0], v[1]
                            ),
                        ));
                    }
                    Some((v[0], v[1]))
                }
            };
            out.push(Parameter {
                name: name.get_ref().clone(),
                value: default,
                default,
                range,
                doc: p.get_ref().doc.clone(),
            });
        }
        for (name, value) in overrides {
            if !value.is_finite() {
                return Err(ScenarioError {
                    file: self.loc.file.to_owned(),
                    line: None,
                    column: None,
                    field: Some(format!("--set {name}")),
                    message: format!("expected a finite number, got {value}"),
                });
            }
            let Some(p) = out.iter_mut().find(|p| &p.name == name) else {
                let known: Vec<&str> = out.iter().map(|p| p.name.as_str()).collect();
                return Err(ScenarioError {
                    file: self.loc.file.to_owned(),
                    line: None,
                    column: None,
                    field: Some(format!("--set {name}")),
                    message: format!(
                        "unknown parameter `{name}`; the scenario's parameters are: {}",
                        if known.is_empty() {
                            "(none)".to_owned()
                        } else {
                            one_of(&known)
                        }
                    ),
                });
            };
            if let Some((lo, hi)) = p.range
                && (*value < lo || *value > hi)
            {
                return Err(ScenarioError {
                    file: self.loc.file.to_owned(),
                    line: None,
                    column: None,
                    field: Some(format!("--set {name}")),
                    message: format!(
                        "{value} is outside the parameter's declared range [{lo}, {hi}]"
                    ),
                });
            }
            p.value = *value;
        }
        for p in &out {
            self.params.insert_const(&p.name, p.value, ValueType::Num);
            self.param_values.push((p.name.clone(), p.value));
        }
        Ok(out)
    }

    fn state(&self, raw: &OrderedMap<SpannedStr, Spanned<raw::StateVar>>) -> Result<Vec<StateVar>> {
        let mut out = Vec::with_capacity(raw.0.len());
        for (name, v) in &raw.0 {
            let field = format!("state.{}", name.get_ref());
            self.check_name(name, &field, "state variable")?;
            if self.params.get(name.get_ref()).is_some() {
                return Err(self.loc.at(
                    name.span(),
                    &field,
                    format!("`{}` names both a parameter and a state variable; formulas would be ambiguous", name.get_ref()),
                ));
            }
            let sv = v.get_ref();
            let initial = self.constant(
                &sv.initial,
                v.span(),
                &format!("{field}.initial"),
                &self.params,
            )?;
            let bound = |b: &Option<Spanned<f64>>, which: &str| -> Result<Option<f64>> {
                match b {
                    Some(x) if !x.get_ref().is_finite() => Err(self.loc.at(
                        or_span(x.span(), v.span()),
                        format!("{field}.{which}"),
                        "expected a finite number",
                    )),
                    Some(x) => Ok(Some(*x.get_ref())),
                    None => Ok(None),
                }
            };
            let (min, max) = (bound(&sv.min, "min")?, bound(&sv.max, "max")?);
            if let (Some(lo), Some(hi)) = (min, max)
                && lo >= hi
            {
                return Err(self.loc.at(
                    v.span(),
                    &field,
                    format!("expected min < max, got min = {lo}, max = {hi}"),
                ));
            }
            if min.is_some_and(|lo| initial < lo) || max.is_some_and(|hi| initial > hi) {
                return Err(self.loc.at(
                    or_span(sv.initial.span(), v.span()),
                    format!("{field}.initial"),
                    format!(
                        "the initial value {initial} is outside the bounds [{}, {}]",
                        min.map_or("-inf".into(), |x| x.to_string()),
                        max.map_or("inf".into(), |x| x.to_string())
                    ),
                ));
            }
            out.push(StateVar {
                name: name.get_ref().clone(),
                initial,
                min,
                max,
                doc: sv.doc.clone(),
            });
        }
        Ok(out)
    }

    fn outcome_names(&self, raw: &Spanned<Vec<Spanned<raw::Outcome>>>) -> Result<Vec<String>> {
        if raw.get_ref().is_empty() {
            return Err(self
                .loc
                .at(raw.span(), "outcomes", "expected at least one outcome"));
        }
        let mut names: Vec<String> = Vec::new();
        for (i, o) in raw.get_ref().iter().enumerate() {
            let name = &o.get_ref().name;
            let field = format!("outcomes[{i}].name");
            self.check_name(name, &field, "outcome")?;
            if names.contains(name.get_ref()) {
                return Err(self.loc.at(
                    name.span(),
                    field,
                    format!("duplicate outcome name `{}`", name.get_ref()),
                ));
            }
            names.push(name.get_ref().clone());
        }
        Ok(names)
    }

    fn agent_shell(
        &self,
        i: usize,
        a: &raw::Agent,
        earlier: &[Shell],
        params: &[Parameter],
        state: &[StateVar],
    ) -> Result<Shell> {
        let field = format!("agents[{i}]");
        self.check_name(&a.name, &format!("{field}.name"), "agent")?;
        let name = a.name.get_ref().clone();
        if earlier.iter().any(|s| s.name == name) {
            return Err(self.loc.at(
                a.name.span(),
                format!("{field}.name"),
                format!("duplicate agent name `{name}`"),
            ));
        }
        if params.iter().any(|p| p.name == name) || state.iter().any(|s| s.name == name) {
            return Err(self.loc.at(
                a.name.span(),
                format!("{field}.name"),
                format!("`{name}` already names a parameter or state variable"),
            ));
        }
        let acts = a.actions.get_ref();
        if acts.is_empty() {
            return Err(self.loc.at(
                a.actions.span(),
                format!("{field}.actions"),
                "expected at least one action",
            ));
        }
        if acts.len() > 64 {
            return Err(self.loc.at(
                a.actions.span(),
                format!("{field}.actions"),
                format!(
                    "at most 64 actions per agent are supported, got {}",
                    acts.len()
                ),
            ));
        }
        let mut actions: Vec<String> = Vec::with_capacity(acts.len());
        for (k, act) in acts.iter().enumerate() {
            let f = format!("{field}.actions[{k}]");
            self.check_name(act, &f, "action")?;
            if actions.contains(act.get_ref()) {
                return Err(self.loc.at(
                    act.span(),
                    f,
                    format!("duplicate action `{}` of agent `{name}`", act.get_ref()),
                ));
            }
            actions.push(act.get_ref().clone());
        }

        // Types: absent means a single `default` type.
        let mut types = Vec::new();
        let mut value_names: Vec<String> = Vec::new();
        match &a.types {
            None => types.push(TypeSpec {
                name: "default".into(),
                prior: 1.0,
                values: Vec::new(),
            }),
            Some(ts) => {
                if ts.get_ref().is_empty() {
                    return Err(self.loc.at(
                        ts.span(),
                        format!("{field}.types"),
                        "expected at least one type (or leave `types` out)",
                    ));
                }
                let mut sum = 0.0;
                for (k, t) in ts.get_ref().iter().enumerate() {
                    let tf = format!("{field}.types[{k}]");
                    let t_ref = t.get_ref();
                    self.check_name(&t_ref.name, &format!("{tf}.name"), "type")?;
                    if types
                        .iter()
                        .any(|x: &TypeSpec| &x.name == t_ref.name.get_ref())
                    {
                        return Err(self.loc.at(
                            t_ref.name.span(),
                            format!("{tf}.name"),
                            format!(
                                "duplicate type `{}` of agent `{name}`",
                                t_ref.name.get_ref()
                            ),
                        ));
                    }
                    let prior = self.constant(
                        &t_ref.prior,
                        t.span(),
                        &format!("{tf}.prior"),
                        &self.params,
                    )?;
                    if !(0.0..=1.0).contains(&prior) {
                        return Err(self.loc.at(
                            or_span(t_ref.prior.span(), t.span()),
                            format!("{tf}.prior"),
                            format!("a probability must be between 0 and 1, got {prior}"),
                        ));
                    }
                    sum += prior;
                    let names: Vec<String> = t_ref
                        .values
                        .0
                        .iter()
                        .map(|(n, _)| n.get_ref().clone())
                        .collect();
                    if k == 0 {
                        for (n, _) in &t_ref.values.0 {
                            let vf = format!("{tf}.values.{}", n.get_ref());
                            self.check_name(n, &vf, "type value")?;
                            if actions.contains(n.get_ref()) {
                                return Err(self.loc.at(
                                    n.span(),
                                    vf,
                                    format!("`{}` is also an action of `{name}`; `{name}.{}` would be ambiguous", n.get_ref(), n.get_ref()),
                                ));
                            }
                        }
                        value_names = names;
                    } else {
                        let mut sorted_a = value_names.clone();
                        let mut sorted_b = names.clone();
                        sorted_a.sort();
                        sorted_b.sort();
                        if sorted_a != sorted_b {
                            return Err(self.loc.at(
                                t.span(),
                                format!("{tf}.values"),
                                format!(
                                    "every type of `{name}` must define the same values; expected [{}], got [{}]",
                                    value_names.join(", "),
                                    names.join(", ")
                                ),
                            ));
                        }
                    }
                    let mut values = vec![0.0; value_names.len()];
                    for (n, q) in &t_ref.values.0 {
                        let idx = value_names
                            .iter()
                            .position(|x| x == n.get_ref())
                            .expect("checked above");
                        values[idx] = self.constant(
                            q,
                            n.span(),
                            &format!("{tf}.values.{}", n.get_ref()),
                            &self.params,
                        )?;
                    }
                    types.push(TypeSpec {
                        name: t_ref.name.get_ref().clone(),
                        prior,
                        values,
                    });
                }
                if (sum - 1.0).abs() > PRIOR_SUM_TOLERANCE {
                    return Err(self.loc.at(
                        ts.span(),
                        format!("{field}.types"),
                        format!("the priors of `{name}`'s types must sum to 1, got {sum}"),
                    ));
                }
            }
        }
        Ok(Shell {
            name,
            actions,
            value_names,
            types,
        })
    }

    /// Names a formula about the world may use: parameters, state, `round`,
    /// `AGENT.ACTION` (true in rounds where the agent played it) and `AGENT.VALUE`.
    fn world_symbols(&self, state: &[StateVar], shells: &[Shell], layout: &FrameLayout) -> Symbols {
        let mut s = self.symbols("parameters, state variables, `round`, actions (AGENT.ACTION) and type values (AGENT.VALUE)");
        for (i, v) in state.iter().enumerate() {
            s.insert_var(&v.name, i, ValueType::Num);
        }
        s.insert_var("round", layout.round, ValueType::Num);
        for (i, sh) in shells.iter().enumerate() {
            for (k, a) in sh.actions.iter().enumerate() {
                s.insert_var(
                    &format!("{}.{a}", sh.name),
                    layout.indicators[i] + k,
                    ValueType::Bool,
                );
            }
            for (k, v) in sh.value_names.iter().enumerate() {
                s.insert_var(
                    &format!("{}.{v}", sh.name),
                    layout.values[i] + k,
                    ValueType::Num,
                );
            }
        }
        s
    }

    /// Names an agent's utility and payoff formulas may use under one of its types:
    /// parameters, state, `round` and `self.VALUE` (folded in as constants).
    fn own_symbols(
        &self,
        state: &[StateVar],
        shell: &Shell,
        ty: &TypeSpec,
        layout: &FrameLayout,
    ) -> Symbols {
        let mut s = self.symbols(
            "parameters, state variables, `round` and this agent's type values (self.VALUE)",
        );
        for (i, v) in state.iter().enumerate() {
            s.insert_var(&v.name, i, ValueType::Num);
        }
        s.insert_var("round", layout.round, ValueType::Num);
        for (name, v) in shell.value_names.iter().zip(&ty.values) {
            s.insert_const(&format!("self.{name}"), *v, ValueType::Num);
        }
        s
    }

    #[allow(clippy::too_many_arguments)]
    fn agent(
        &self,
        i: usize,
        a: &raw::Agent,
        shell: &Shell,
        shells: &[Shell],
        state: &[StateVar],
        layout: &FrameLayout,
        outcome_names: &[String],
    ) -> Result<AgentSpec> {
        let field = format!("agents[{i}]");
        let status_quo = match &a.status_quo {
            None => None,
            Some(sq) => Some(
                shell
                    .actions
                    .iter()
                    .position(|x| x == sq.get_ref())
                    .ok_or_else(|| {
                        self.loc.at(
                            sq.span(),
                            format!("{field}.status_quo"),
                            format!(
                                "`{}` is not an action of `{}`; expected one of: {}",
                                sq.get_ref(),
                                shell.name,
                                shell.actions.join(", ")
                            ),
                        )
                    })?,
            ),
        };
        let rule = self.decision(&a.decision, &format!("{field}.decision"))?;
        let level0 = self.level0(a, shell, &format!("{field}.level0"))?;
        let own: Vec<Symbols> = shell
            .types
            .iter()
            .map(|t| self.own_symbols(state, shell, t, layout))
            .collect();

        let mut terms = Vec::with_capacity(a.utility.len());
        for (k, t) in a.utility.iter().enumerate() {
            let tf = format!("{field}.utility[{k}]");
            let conditions = match &t.get_ref().when {
                None => Vec::new(),
                Some(w) => self.conditions(w, &format!("{tf}.when"), shells)?,
            };
            let value_by_type = own
                .iter()
                .map(|syms| {
                    self.quantity(&t.get_ref().value, t.span(), &format!("{tf}.value"), syms)
                })
                .collect::<Result<Vec<_>>>()?;
            terms.push(Term {
                conditions,
                value_by_type,
            });
        }

        let mut intel = vec![1.0; shells.len()];
        for (target, q) in &a.intel.0 {
            let f = format!("{field}.intel.{}", target.get_ref());
            let Some(j) = shells.iter().position(|s| &s.name == target.get_ref()) else {
                return Err(self.loc.at(
                    target.span(),
                    f,
                    format!(
                        "unknown agent `{}`; expected one of: {}",
                        target.get_ref(),
                        names(shells)
                    ),
                ));
            };
            if j == i {
                return Err(self.loc.at(
                    target.span(),
                    f,
                    "an agent knows its own action; intel is about other agents",
                ));
            }
            let acc = self.constant(q, target.span(), &f, &self.params)?;
            if !(0.0..=1.0).contains(&acc) {
                return Err(self.loc.at(
                    or_span(q.span(), target.span()),
                    f,
                    format!("accuracy is a probability between 0 and 1, got {acc}"),
                ));
            }
            intel[j] = acc;
        }

        let mut state_intel = Vec::with_capacity(a.state_intel.0.len());
        for (var, spec) in &a.state_intel.0 {
            let f = format!("{field}.state_intel.{}", var.get_ref());
            let idx = self.state_index(var, &f, state)?;
            let q = spec.get_ref();
            let sd = self.constant(&q.sd, spec.span(), &format!("{f}.sd"), &self.params)?;
            if sd <= 0.0 {
                return Err(self.loc.at(
                    or_span(q.sd.span(), spec.span()),
                    format!("{f}.sd"),
                    format!("expected a standard deviation > 0, got {sd}"),
                ));
            }
            let drift = match &q.drift {
                None => 0.0,
                Some(d) => {
                    let v = self.constant(d, spec.span(), &format!("{f}.drift"), &self.params)?;
                    if v < 0.0 {
                        return Err(self.loc.at(
                            or_span(d.span(), spec.span()),
                            format!("{f}.drift"),
                            format!("expected a standard deviation >= 0, got {v}"),
                        ));
                    }
                    v
                }
            };
            state_intel.push(StateIntel {
                var: idx,
                sd,
                drift,
            });
        }

        let zero = || self.formula("0", 0..0, "", &self.params, ValueType::Num);
        let mut payoffs: Vec<Vec<expr::Expr>> = (0..shell.types.len())
            .map(|_| {
                outcome_names
                    .iter()
                    .map(|_| zero())
                    .collect::<Result<Vec<_>>>()
            })
            .collect::<Result<_>>()?;
        for (outcome, q) in &a.payoffs.0 {
            let f = format!("{field}.payoffs.{}", outcome.get_ref());
            let Some(o) = outcome_names.iter().position(|x| x == outcome.get_ref()) else {
                return Err(self.loc.at(
                    outcome.span(),
                    f,
                    format!(
                        "unknown outcome `{}`; expected one of: {}",
                        outcome.get_ref(),
                        outcome_names.join(", ")
                    ),
                ));
            };
            for (ty, syms) in own.iter().enumerate() {
                payoffs[ty][o] = self.quantity(q, outcome.span(), &f, syms)?;
            }
        }

        Ok(AgentSpec {
            name: shell.name.clone(),
            title: a.title.clone(),
            actions: shell.actions.clone(),
            status_quo,
            rule,
            level0,
            types: shell.types.clone(),
            value_names: shell.value_names.clone(),
            terms,
            intel,
            payoffs,
            state_intel,
        })
    }

    fn decision(&self, d: &Spanned<raw::Decision>, field: &str) -> Result<DecisionRule> {
        let raw = d.get_ref();
        let rule = raw.rule.get_ref().as_str();
        // Which optional keys each rule takes; any other one is an error naming it.
        let allowed: &[&str] = match rule {
            "best_response" => &[],
            "logit" => &["lambda"],
            "level_k" => &["level", "lambda"],
            "cognitive_hierarchy" => &["level", "tau", "lambda"],
            "fictitious_play" => &["prior_weight", "prior", "lambda"],
            other => {
                return Err(self.loc.at(
                    raw.rule.span(),
                    format!("{field}.rule"),
                    format!(
                        "unknown decision rule `{other}`; expected one of: best_response, logit, level_k, cognitive_hierarchy, fictitious_play"
                    ),
                ));
            }
        };
        let present: [(&str, Option<Range<usize>>); 5] = [
            ("lambda", raw.lambda.as_ref().map(|x| x.span())),
            ("level", raw.level.as_ref().map(|x| x.span())),
            ("tau", raw.tau.as_ref().map(|x| x.span())),
            ("prior_weight", raw.prior_weight.as_ref().map(|x| x.span())),
            ("prior", raw.prior.as_ref().map(|x| x.span())),
        ];
        for (key, span) in present {
            if let Some(span) = span
                && !allowed.contains(&key)
            {
                let takes = if allowed.is_empty() {
                    "takes no parameters".to_owned()
                } else {
                    format!("takes {}", allowed.join(", "))
                };
                return Err(self.loc.at(
                    or_span(span, d.span()),
                    format!("{field}.{key}"),
                    format!("`{key}` does not belong to the `{rule}` rule, which {takes}"),
                ));
            }
        }
        let lambda = match &raw.lambda {
            None => None,
            Some(l) => {
                let v = self.constant(l, d.span(), &format!("{field}.lambda"), &self.params)?;
                if v < 0.0 {
                    return Err(self.loc.at(
                        or_span(l.span(), d.span()),
                        format!("{field}.lambda"),
                        format!("expected a precision >= 0, got {v}"),
                    ));
                }
                Some(v)
            }
        };
        let level = || -> Result<u32> {
            let Some(l) = &raw.level else {
                return Err(self.loc.at(
                    d.span(),
                    format!("{field}.level"),
                    format!("the `{rule}` rule needs `level`, a whole number >= 0"),
                ));
            };
            let v = *l.get_ref();
            if !(0..=MAX_LEVEL).contains(&v) {
                return Err(self.loc.at(
                    or_span(l.span(), d.span()),
                    format!("{field}.level"),
                    format!("expected a level from 0 to {MAX_LEVEL}, got {v}"),
                ));
            }
            Ok(v as u32)
        };
        match rule {
            "best_response" => Ok(DecisionRule::BestResponse),
            "logit" => match lambda {
                Some(lambda) => Ok(DecisionRule::Logit { lambda }),
                None => Err(self.loc.at(
                    d.span(),
                    format!("{field}.lambda"),
                    "the `logit` rule needs `lambda`, its precision (>= 0)",
                )),
            },
            "level_k" => Ok(DecisionRule::LevelK {
                level: level()?,
                lambda,
            }),
            "cognitive_hierarchy" => {
                let level = level()?;
                let Some(t) = &raw.tau else {
                    return Err(self.loc.at(
                        d.span(),
                        format!("{field}.tau"),
                        "the `cognitive_hierarchy` rule needs `tau`, the mean level (> 0)",
                    ));
                };
                let tau = self.constant(t, d.span(), &format!("{field}.tau"), &self.params)?;
                if tau <= 0.0 {
                    return Err(self.loc.at(
                        or_span(t.span(), d.span()),
                        format!("{field}.tau"),
                        format!("expected a mean level > 0, got {tau}"),
                    ));
                }
                Ok(DecisionRule::CognitiveHierarchy { level, tau, lambda })
            }
            _ => {
                let prior_weight = match &raw.prior_weight {
                    None => 1.0,
                    Some(w) => {
                        let v = self.constant(
                            w,
                            d.span(),
                            &format!("{field}.prior_weight"),
                            &self.params,
                        )?;
                        if v < 0.0 {
                            return Err(self.loc.at(
                                or_span(w.span(), d.span()),
                                format!("{field}.prior_weight"),
                                format!("expected a weight >= 0 (in observations), got {v}"),
                            ));
                        }
                        v
                    }
                };
                let prior = match raw.prior.as_ref().map(|p| (p.get_ref().as_str(), p.span())) {
                    None | Some(("uniform", _)) => FictitiousPrior::Uniform,
                    Some(("status_quo", _)) => FictitiousPrior::StatusQuo,
                    Some(("random", _)) => FictitiousPrior::Random,
                    Some((other, span)) => {
                        return Err(self.loc.at(
                            or_span(span, d.span()),
                            format!("{field}.prior"),
                            format!(
                                "unknown prior `{other}`; expected one of: uniform, status_quo, random"
                            ),
                        ));
                    }
                };
                Ok(DecisionRule::FictitiousPlay {
                    prior_weight,
                    prior,
                    lambda,
                })
            }
        }
    }

    /// `level0`: uniform, or a distribution over the agent's actions.
    fn level0(&self, a: &raw::Agent, shell: &Shell, field: &str) -> Result<Vec<f64>> {
        let n = shell.actions.len();
        let Some(l0) = &a.level0 else {
            return Ok(vec![1.0 / n as f64; n]);
        };
        match l0.get_ref() {
            raw::Level0::Keyword(k) if k == "uniform" => Ok(vec![1.0 / n as f64; n]),
            raw::Level0::Keyword(k) => Err(self.loc.at(
                l0.span(),
                field,
                format!(
                    "unknown level-0 behaviour `{k}`; expected \"uniform\" or a table of action probabilities, e.g. {{ {} = 1.0 }}",
                    shell.actions[0]
                ),
            )),
            raw::Level0::Distribution(m) => {
                let mut p = vec![0.0; n];
                for (action, q) in &m.0 {
                    let f = format!("{field}.{}", action.get_ref());
                    let Some(k) = shell.actions.iter().position(|x| x == action.get_ref()) else {
                        return Err(self.loc.at(
                            action.span(),
                            f,
                            format!(
                                "`{}` is not an action of `{}`; expected one of: {}",
                                action.get_ref(),
                                shell.name,
                                shell.actions.join(", ")
                            ),
                        ));
                    };
                    let v = self.constant(q, action.span(), &f, &self.params)?;
                    if !(0.0..=1.0).contains(&v) {
                        return Err(self.loc.at(
                            or_span(q.span(), action.span()),
                            f,
                            format!("expected a probability between 0 and 1, got {v}"),
                        ));
                    }
                    p[k] = v;
                }
                let total: f64 = p.iter().sum();
                if (total - 1.0).abs() > 1e-9 {
                    return Err(self.loc.at(
                        l0.span(),
                        field,
                        format!("the level-0 probabilities must sum to 1, got {total}"),
                    ));
                }
                Ok(p)
            }
        }
    }

    fn classification(&self, raw: Option<&Spanned<raw::Classification>>) -> Result<Classification> {
        let Some(c) = raw else {
            return Ok(Classification::default());
        };
        let mut out = Classification::default();
        if let Some(w) = &c.get_ref().window {
            let v = *w.get_ref();
            if !(1..=1_000_000).contains(&v) {
                return Err(self.loc.at(
                    w.span(),
                    "equilibrium.window",
                    format!("expected a number of rounds from 1 to 1000000, got {v}"),
                ));
            }
            out.window = v as u32;
        }
        if let Some(t) = &c.get_ref().tolerance {
            let v = *t.get_ref();
            if !(0.0..=1.0).contains(&v) {
                return Err(self.loc.at(
                    t.span(),
                    "equilibrium.tolerance",
                    format!("expected a distance between 0 and 1, got {v}"),
                ));
            }
            out.tolerance = v;
        }
        if out.window > 1 && c.get_ref().tolerance.is_none() {
            return Err(self.loc.at(
                c.span(),
                "equilibrium.tolerance",
                "a window of more than one round needs `tolerance`, the largest distance between empirical frequencies and an equilibrium (e.g. 0.05)",
            ));
        }
        Ok(out)
    }

    fn conditions(
        &self,
        w: &Spanned<OrderedMap<SpannedStr, Spanned<raw::OneOrMany>>>,
        field: &str,
        shells: &[Shell],
    ) -> Result<Vec<Condition>> {
        let mut out: Vec<Condition> = Vec::new();
        for (agent, acts) in &w.get_ref().0 {
            let f = format!("{field}.{}", agent.get_ref());
            let Some(j) = shells.iter().position(|s| &s.name == agent.get_ref()) else {
                return Err(self.loc.at(
                    agent.span(),
                    f,
                    format!(
                        "unknown agent `{}`; expected one of: {}",
                        agent.get_ref(),
                        names(shells)
                    ),
                ));
            };
            if acts.get_ref().0.is_empty() {
                return Err(self.loc.at(acts.span(), f, "expected at least one action"));
            }
            let mut mask = 0u64;
            for act in &acts.get_ref().0 {
                let Some(k) = shells[j].actions.iter().position(|x| x == act.get_ref()) else {
                    return Err(self.loc.at(
                        or_span(act.span(), acts.span()),
                        f,
                        format!(
                            "`{}` is not an action of `{}`; expected one of: {}",
                            act.get_ref(),
                            shells[j].name,
                            shells[j].actions.join(", ")
                        ),
                    ));
                };
                mask |= 1 << k;
            }
            out.push(Condition { agent: j, mask });
        }
        out.sort_by_key(|c| c.agent);
        Ok(out)
    }

    fn state_index(&self, name: &SpannedStr, field: &str, state: &[StateVar]) -> Result<usize> {
        state
            .iter()
            .position(|s| &s.name == name.get_ref())
            .ok_or_else(|| {
                let known: Vec<&str> = state.iter().map(|s| s.name.as_str()).collect();
                self.loc.at(
                    name.span(),
                    field,
                    format!(
                        "unknown state variable `{}`; expected one of: {}",
                        name.get_ref(),
                        one_of(&known)
                    ),
                )
            })
    }

    fn effect(
        &self,
        i: usize,
        e: &Spanned<raw::Effect>,
        state: &[StateVar],
        world: &Symbols,
    ) -> Result<EffectSpec> {
        let field = format!("effects[{i}]");
        let raw = e.get_ref();
        let when = match &raw.when {
            None => None,
            Some(w) => Some(self.formula(
                w.get_ref(),
                w.span(),
                &format!("{field}.when"),
                world,
                ValueType::Bool,
            )?),
        };
        let assignments = |map: &OrderedMap<SpannedStr, Spanned<Quantity>>,
                           what: &str|
         -> Result<Vec<(usize, expr::Expr)>> {
            map.0
                .iter()
                .map(|(name, q)| {
                    let f = format!("{field}.{what}.{}", name.get_ref());
                    Ok((
                        self.state_index(name, &f, state)?,
                        self.quantity(q, name.span(), &f, world)?,
                    ))
                })
                .collect()
        };
        let add = assignments(&raw.add, "add")?;
        let set = assignments(&raw.set, "set")?;
        let mut noise = Vec::new();
        for (name, q) in &raw.noise.0 {
            let f = format!("{field}.noise.{}", name.get_ref());
            let idx = self.state_index(name, &f, state)?;
            let sd = self.constant(q, name.span(), &f, &self.params)?;
            if sd < 0.0 {
                return Err(self.loc.at(
                    or_span(q.span(), name.span()),
                    f,
                    format!("a standard deviation must be >= 0, got {sd}"),
                ));
            }
            noise.push((idx, sd));
        }
        noise.sort_by_key(|(idx, _)| *idx);
        if add.is_empty() && set.is_empty() && noise.is_empty() {
            return Err(self.loc.at(
                e.span(),
                field,
                "an effect needs at least one of `add`, `set` or `noise`",
            ));
        }
        Ok(EffectSpec {
            when,
            add,
            set,
            noise,
        })
    }

    fn outcomes(
        &self,
        raw: &Spanned<Vec<Spanned<raw::Outcome>>>,
        world: &Symbols,
    ) -> Result<Vec<OutcomeSpec>> {
        let mut out = Vec::new();
        for (i, o) in raw.get_ref().iter().enumerate() {
            let field = format!("outcomes[{i}]");
            let r = o.get_ref();
            let when = match &r.when {
                None => None,
                Some(w) => Some(self.formula(
                    w.get_ref(),
                    w.span(),
                    &format!("{field}.when"),
                    world,
                    ValueType::Bool,
                )?),
            };
            if when.is_none() && !r.at_horizon {
                return Err(self.loc.at(
                    o.span(),
                    field,
                    format!(
                        "outcome `{}` needs a `when` condition, or `at_horizon = true`",
                        r.name.get_ref()
                    ),
                ));
            }
            out.push(OutcomeSpec {
                name: r.name.get_ref().clone(),
                when,
                at_horizon: r.at_horizon,
            });
        }
        // The last at-horizon outcome must be unconditional, so every run ends in one.
        match out.iter().rposition(|o| o.at_horizon) {
            Some(last) if out[last].when.is_none() => {}
            Some(last) => {
                return Err(self.loc.at(
                    raw.get_ref()[last].span(),
                    format!("outcomes[{last}]"),
                    "the last `at_horizon` outcome must have no `when`, so that every run that reaches the horizon ends in an outcome",
                ));
            }
            None => {
                return Err(self.loc.at(
                    raw.span(),
                    "outcomes",
                    "expected an outcome with `at_horizon = true` and no `when`, for runs that reach the horizon",
                ));
            }
        }
        Ok(out)
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
