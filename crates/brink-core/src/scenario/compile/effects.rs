//! `[[effects]]`: conditional changes to the state each round.

use super::*;

impl Compiler<'_> {
    /// A utility term's `when` table: which actions of which agents it needs
    /// (`b`: the values of the term's loop variables); `None` if some agent's
    /// selection is empty (no profile matches the term).
    pub(super) fn conditions(
        &self,
        w: &Spanned<OrderedMap<SpannedStr, Spanned<raw::OneOrMany>>>,
        field: &str,
        shells: &[Shell],
        b: &Bindings,
    ) -> Result<Option<Vec<Condition>>> {
        let mut out: Vec<Condition> = Vec::new();
        for (agent, acts) in &w.get_ref().0 {
            let f = format!("{field}.{}", agent.get_ref());
            let j = self.agent_index(agent, &f, shells)?;
            if acts.get_ref().0.is_empty() {
                return Err(self.loc.at(acts.span(), f, "expected at least one action"));
            }
            let mut mask = 0u64;
            for act in &acts.get_ref().0 {
                let at = or_span(act.span(), acts.span());
                for k in self.select_actions(act, at, &shells[j], &f, b)? {
                    mask |= 1 << k;
                }
            }
            if mask == 0 {
                return Ok(None);
            }
            out.push(Condition { agent: j, mask });
        }
        out.sort_by_key(|c| c.agent);
        Ok(Some(out))
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

    /// One `[[effects]]` entry: an optional condition and the state changes it
    /// makes, once for each value of its loop variables.
    pub(super) fn effect(
        &self,
        i: usize,
        e: &Spanned<raw::Effect>,
        state: &[StateVar],
        world: &Symbols,
    ) -> Result<Vec<EffectSpec>> {
        let field = format!("effects[{i}]");
        self.loop_bindings(&e.get_ref().for_each, &field)?
            .iter()
            .map(|b| self.effect_instance(&field, e, state, &self.with_bindings(world, b), b))
            .collect()
    }

    /// One instance of an effect (`b`: its loop variables' values, already
    /// constants in `world`).
    fn effect_instance(
        &self,
        field: &str,
        e: &Spanned<raw::Effect>,
        state: &[StateVar],
        world: &Symbols,
        b: &Bindings,
    ) -> Result<EffectSpec> {
        let raw = e.get_ref();
        let when = match &raw.when {
            None => None,
            Some(w) => {
                let text =
                    self.substitute_indices(w.get_ref(), w.span(), &format!("{field}.when"), b)?;
                self.condition(Some(&Spanned::new(w.span(), text)), field, world)?
            }
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
                        self.quantity(&self.bound_quantity(q, &f, b)?, name.span(), &f, world)?,
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

    /// `q` with its `[INDEX]` selectors replaced by the indices' values.
    pub(super) fn bound_quantity(
        &self,
        q: &Spanned<Quantity>,
        field: &str,
        b: &Bindings,
    ) -> Result<Spanned<Quantity>> {
        Ok(match q.get_ref() {
            Quantity::Formula(text) => Spanned::new(
                q.span(),
                Quantity::Formula(self.substitute_indices(text, q.span(), field, b)?),
            ),
            Quantity::Number(v) => Spanned::new(q.span(), Quantity::Number(*v)),
        })
    }
}
