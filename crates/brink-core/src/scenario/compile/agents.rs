//! `[[agents]]`: names, actions, types and the formulas of each agent.

use super::*;

/// Highest reasoning level accepted (level-k, cognitive hierarchy).
pub(super) const MAX_LEVEL: i64 = 20;

/// What is known of an agent before its formulas are compiled.
pub(super) struct Shell {
    pub(super) name: String,
    pub(super) actions: Vec<String>,
    pub(super) value_names: Vec<String>,
    pub(super) types: Vec<TypeSpec>,
    /// Indexed families among `actions`.
    pub(super) families: Vec<Family>,
}

/// Where the round, the action indicators and the type values sit in a frame, after the state.
pub(super) fn frame_layout(num_state: usize, shells: &[Shell]) -> FrameLayout {
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

impl Compiler<'_> {
    /// An agent's name, actions and types: what every formula may refer to.
    pub(super) fn agent_shell(
        &self,
        i: usize,
        a: &raw::Agent,
        earlier: &[Shell],
        params: &[Parameter],
        state: &[StateVar],
    ) -> Result<Shell> {
        let field = format!("agents[{i}]");
        let name = self.agent_name(a, &field, earlier, params, state)?;
        let (actions, families) = self.actions(a, &field, &name)?;
        let (types, value_names) = self.types(a, &field, &name, &actions)?;
        Ok(Shell {
            name,
            actions,
            value_names,
            types,
            families,
        })
    }

    /// The agent's name: well formed and not naming anything else.
    fn agent_name(
        &self,
        a: &raw::Agent,
        field: &str,
        earlier: &[Shell],
        params: &[Parameter],
        state: &[StateVar],
    ) -> Result<String> {
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
        Ok(name)
    }

    /// The agent's actions: 1 to 64 distinct names.
    fn actions(
        &self,
        a: &raw::Agent,
        field: &str,
        name: &str,
    ) -> Result<(Vec<String>, Vec<Family>)> {
        let (expanded, families) = match a.actions.get_ref() {
            raw::ActionList::Names(_) => (Vec::new(), Vec::new()),
            raw::ActionList::Families(map) => {
                self.action_families(map, &format!("{field}.actions"))?
            }
        };
        let acts = match a.actions.get_ref() {
            raw::ActionList::Names(v) => v,
            raw::ActionList::Families(_) => &expanded,
        };
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
        Ok((actions, families))
    }

    /// The agent's types and the names of their values; absent means a
    /// single `default` type without values.
    fn types(
        &self,
        a: &raw::Agent,
        field: &str,
        name: &str,
        actions: &[String],
    ) -> Result<(Vec<TypeSpec>, Vec<String>)> {
        let Some(ts) = &a.types else {
            let default = TypeSpec {
                name: "default".into(),
                prior: 1.0,
                values: Vec::new(),
                rule: DecisionRule::BestResponse,
                lookahead: Lookahead::default(),
            };
            return Ok((vec![default], Vec::new()));
        };
        if ts.get_ref().is_empty() {
            return Err(self.loc.at(
                ts.span(),
                format!("{field}.types"),
                "expected at least one type (or leave `types` out)",
            ));
        }
        let mut types: Vec<TypeSpec> = Vec::new();
        let mut value_names: Vec<String> = Vec::new();
        let mut sum = 0.0;
        for (k, t) in ts.get_ref().iter().enumerate() {
            let tf = format!("{field}.types[{k}]");
            let t_ref = t.get_ref();
            self.check_name(&t_ref.name, &format!("{tf}.name"), "type")?;
            if types.iter().any(|x| &x.name == t_ref.name.get_ref()) {
                return Err(self.loc.at(
                    t_ref.name.span(),
                    format!("{tf}.name"),
                    format!(
                        "duplicate type `{}` of agent `{name}`",
                        t_ref.name.get_ref()
                    ),
                ));
            }
            let prior = self.prior(t, &tf)?;
            sum += prior;
            let names: Vec<String> = t_ref
                .values
                .0
                .iter()
                .map(|(n, _)| n.get_ref().clone())
                .collect();
            if k == 0 {
                self.first_type_values(t_ref, &tf, name, actions)?;
                value_names = names;
            } else {
                self.same_type_values(t, &tf, name, &value_names, &names)?;
            }
            types.push(TypeSpec {
                name: t_ref.name.get_ref().clone(),
                prior,
                values: self.type_values(t_ref, &tf, &value_names)?,
                // Set with the agent's decision in `agent`.
                rule: DecisionRule::BestResponse,
                lookahead: Lookahead::default(),
            });
        }
        if (sum - 1.0).abs() > PRIOR_SUM_TOLERANCE {
            return Err(self.loc.at(
                ts.span(),
                format!("{field}.types"),
                format!("the priors of `{name}`'s types must sum to 1, got {sum}"),
            ));
        }
        Ok((types, value_names))
    }

    /// A type's prior probability.
    fn prior(&self, t: &Spanned<raw::AgentType>, tf: &str) -> Result<f64> {
        let t_ref = t.get_ref();
        let prior = self.constant(&t_ref.prior, t.span(), &format!("{tf}.prior"), &self.params)?;
        if !(0.0..=1.0).contains(&prior) {
            return Err(self.loc.at(
                or_span(t_ref.prior.span(), t.span()),
                format!("{tf}.prior"),
                format!("a probability must be between 0 and 1, got {prior}"),
            ));
        }
        Ok(prior)
    }

    /// The first type's value names, which every other type must repeat:
    /// well formed and no action's name (`AGENT.NAME` would be ambiguous).
    fn first_type_values(
        &self,
        t_ref: &raw::AgentType,
        tf: &str,
        name: &str,
        actions: &[String],
    ) -> Result<()> {
        for (n, _) in &t_ref.values.0 {
            let vf = format!("{tf}.values.{}", n.get_ref());
            self.check_name(n, &vf, "type value")?;
            if actions.contains(n.get_ref()) {
                return Err(self.loc.at(
                    n.span(),
                    vf,
                    format!(
                        "`{}` is also an action of `{name}`; `{name}.{}` would be ambiguous",
                        n.get_ref(),
                        n.get_ref()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A later type defines the same value names as the first, in any order.
    fn same_type_values(
        &self,
        t: &Spanned<raw::AgentType>,
        tf: &str,
        name: &str,
        value_names: &[String],
        names: &[String],
    ) -> Result<()> {
        let mut sorted_a = value_names.to_vec();
        let mut sorted_b = names.to_vec();
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
        Ok(())
    }

    /// A type's values, in the order of `value_names`.
    fn type_values(
        &self,
        t_ref: &raw::AgentType,
        tf: &str,
        value_names: &[String],
    ) -> Result<Vec<f64>> {
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
        Ok(values)
    }

    /// Names a formula about the world may use: parameters, state, `round`,
    /// `AGENT.ACTION` (true in rounds where the agent played it) and `AGENT.VALUE`.
    pub(super) fn world_symbols(
        &self,
        state: &[StateVar],
        shells: &[Shell],
        layout: &FrameLayout,
    ) -> Symbols {
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

    /// Names agent `i`'s utility and payoff formulas may use under one of its types:
    /// parameters, state, `round`, `self.VALUE` (folded in as constants) and the other
    /// agents' type values `OTHER.VALUE` (interdependent values).
    pub(super) fn own_symbols(
        &self,
        state: &[StateVar],
        i: usize,
        shells: &[Shell],
        ty: &TypeSpec,
        layout: &FrameLayout,
    ) -> Symbols {
        let mut s = self.symbols(
            "parameters, state variables, `round` and this agent's type values (self.VALUE) and the other agents' (AGENT.VALUE)",
        );
        for (i, v) in state.iter().enumerate() {
            s.insert_var(&v.name, i, ValueType::Num);
        }
        s.insert_var("round", layout.round, ValueType::Num);
        Self::insert_other_values(&mut s, i, shells, layout);
        for (name, v) in shells[i].value_names.iter().zip(&ty.values) {
            s.insert_const(&format!("self.{name}"), *v, ValueType::Num);
        }
        s
    }

    /// Compiles an agent's decision rule and formulas against the shells of all agents.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn agent(
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
        let status_quo = self.status_quo(a, shell, &field)?;
        let (rule, lookahead) = self.decision(&a.decision, &format!("{field}.decision"))?;
        let mut types = shell.types.clone();
        for (k, ty) in types.iter_mut().enumerate() {
            let own = a
                .types
                .as_ref()
                .and_then(|ts| ts.get_ref().get(k))
                .and_then(|t| t.get_ref().decision.as_ref());
            (ty.rule, ty.lookahead) = match own {
                Some(d) => self.decision(d, &format!("{field}.types[{k}].decision"))?,
                None => (rule, lookahead),
            };
        }
        let level0 = self.level0(a, shell, &format!("{field}.level0"))?;
        let own: Vec<Symbols> = shell
            .types
            .iter()
            .map(|t| self.own_symbols(state, i, shells, t, layout))
            .collect();
        let terms = self.utility_terms(i, a, &field, shells, &own, layout)?;
        let intel = self.intel(i, a, &field, shells)?;
        let state_intel = self.state_intel(a, &field, state)?;
        let payoffs = self.payoffs(i, a, shells, &field, &own, outcome_names)?;
        let payoff_reads = Self::agents_read(
            &payoffs.iter().flatten().cloned().collect::<Vec<_>>(),
            i,
            shells,
            layout,
        );
        let available = self.available(a, shell, &field, state, layout)?;
        Ok(AgentSpec {
            name: shell.name.clone(),
            title: a.title.clone(),
            actions: shell.actions.clone(),
            status_quo,
            rule,
            lookahead,
            level0,
            types,
            reads_types: terms.iter().any(|t| !t.types.is_empty()),
            value_names: shell.value_names.clone(),
            terms,
            intel,
            payoffs,
            payoff_reads,
            state_intel,
            available,
        })
    }

    /// `status_quo`: the index of one of the agent's actions, if given.
    fn status_quo(&self, a: &raw::Agent, shell: &Shell, field: &str) -> Result<Option<usize>> {
        let Some(sq) = &a.status_quo else {
            return Ok(None);
        };
        shell
            .actions
            .iter()
            .position(|x| x == sq.get_ref())
            .map(Some)
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
            })
    }

    /// `utility`: the terms, each compiled once per type (`own` holds
    /// each type's symbols).
    fn utility_terms(
        &self,
        i: usize,
        a: &raw::Agent,
        field: &str,
        shells: &[Shell],
        own: &[Symbols],
        layout: &FrameLayout,
    ) -> Result<Vec<Term>> {
        let mut terms = Vec::with_capacity(a.utility.len());
        for (k, t) in a.utility.iter().enumerate() {
            let tf = format!("{field}.utility[{k}]");
            let raw = t.get_ref();
            for b in self.loop_bindings(&raw.for_each, &tf)? {
                let conditions = match &raw.when {
                    None => Vec::new(),
                    // A term that no profile can match is left out.
                    Some(w) => match self.conditions(w, &format!("{tf}.when"), shells, &b)? {
                        Some(c) => c,
                        None => continue,
                    },
                };
                let vf = format!("{tf}.value");
                let value = self.bound_quantity(&raw.value, &vf, &b)?;
                self.check_value_references(&value, t.span(), &vf, i, shells)?;
                let syms: Vec<Symbols> = own.iter().map(|s| self.with_bindings(s, &b)).collect();
                let value_by_type = syms
                    .iter()
                    .map(|s| self.quantity(&value, t.span(), &vf, s))
                    .collect::<Result<Vec<_>>>()?;
                // Interdependent values: one copy per combination of the types read.
                let read = Self::agents_read(&value_by_type, i, shells, layout);
                if !read.is_empty() {
                    terms.extend(self.expand_by_types(
                        &value,
                        t.span(),
                        &vf,
                        &syms,
                        &read,
                        shells,
                        &conditions,
                    )?);
                    continue;
                }
                terms.push(Term::new(conditions, value_by_type, Vec::new()));
            }
        }
        Ok(terms)
    }

    /// `intel`: how accurately agent `i` sees each other agent's action
    /// (1 unless given).
    fn intel(&self, i: usize, a: &raw::Agent, field: &str, shells: &[Shell]) -> Result<Vec<f64>> {
        let mut intel = vec![1.0; shells.len()];
        for (target, q) in &a.intel.0 {
            let f = format!("{field}.intel.{}", target.get_ref());
            let j = self.agent_index(target, &f, shells)?;
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
        Ok(intel)
    }

    /// `state_intel`: the noise on the agent's view of state variables.
    fn state_intel(
        &self,
        a: &raw::Agent,
        field: &str,
        state: &[StateVar],
    ) -> Result<Vec<StateIntel>> {
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
        Ok(state_intel)
    }

    /// `payoffs`: per type, a formula per outcome (0 unless given).
    fn payoffs(
        &self,
        i: usize,
        a: &raw::Agent,
        shells: &[Shell],
        field: &str,
        own: &[Symbols],
        outcome_names: &[String],
    ) -> Result<Vec<Vec<expr::Expr>>> {
        let shell = &shells[i];
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
            self.check_value_references(q, outcome.span(), &f, i, shells)?;
            for (ty, syms) in own.iter().enumerate() {
                payoffs[ty][o] = self.quantity(q, outcome.span(), &f, syms)?;
            }
        }
        Ok(payoffs)
    }

    /// `level0`: uniform, or a distribution over the agent's actions.
    pub(super) fn level0(&self, a: &raw::Agent, shell: &Shell, field: &str) -> Result<Vec<f64>> {
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
}
