//! `[[effects]]`: conditional changes to the state each round.

use super::*;

impl Compiler<'_> {
    /// A utility term's `when` table: which actions of which agents it needs.
    pub(super) fn conditions(
        &self,
        w: &Spanned<OrderedMap<SpannedStr, Spanned<raw::OneOrMany>>>,
        field: &str,
        shells: &[Shell],
    ) -> Result<Vec<Condition>> {
        let mut out: Vec<Condition> = Vec::new();
        for (agent, acts) in &w.get_ref().0 {
            let f = format!("{field}.{}", agent.get_ref());
            let j = self.agent_index(agent, &f, shells)?;
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

    /// The index of the state variable `name`, or an error listing the declared ones.
    pub(super) fn state_index(
        &self,
        name: &SpannedStr,
        field: &str,
        state: &[StateVar],
    ) -> Result<usize> {
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

    /// One effect: an optional condition and the state changes it makes.
    pub(super) fn effect(
        &self,
        i: usize,
        e: &Spanned<raw::Effect>,
        state: &[StateVar],
        world: &Symbols,
    ) -> Result<EffectSpec> {
        let field = format!("effects[{i}]");
        let raw = e.get_ref();
        let when = self.condition(raw.when.as_ref(), &field, world)?;
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
}
