//! `[state]`: the state variables and their bounds.

use super::*;

impl Compiler<'_> {
    /// The state variables: initial values within optional bounds.
    pub(super) fn state(
        &self,
        raw: &OrderedMap<SpannedStr, Spanned<raw::StateVar>>,
    ) -> Result<Vec<StateVar>> {
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
}
