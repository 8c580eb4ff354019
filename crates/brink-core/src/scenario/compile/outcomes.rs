//! `[[outcomes]]`: named end states and the conditions that reach them.

use super::*;

impl Compiler<'_> {
    /// The outcome names, known before any payoff table refers to them.
    pub(super) fn outcome_names(
        &self,
        raw: &Spanned<Vec<Spanned<raw::Outcome>>>,
    ) -> Result<Vec<String>> {
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

    /// Each outcome's condition, checked against the world's names.
    pub(super) fn outcomes(
        &self,
        raw: &Spanned<Vec<Spanned<raw::Outcome>>>,
        world: &Symbols,
    ) -> Result<Vec<OutcomeSpec>> {
        let mut out = Vec::new();
        for (i, o) in raw.get_ref().iter().enumerate() {
            let field = format!("outcomes[{i}]");
            let r = o.get_ref();
            let when = self.condition(r.when.as_ref(), &field, world)?;
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
