//! `[parameters]`: named constants, with command-line overrides.

use super::*;

impl Compiler<'_> {
    /// The parameters with their overrides applied; fills the parameter
    /// symbol tables that every later formula starts from.
    pub(super) fn parameters(
        &mut self,
        raw: &OrderedMap<SpannedStr, Spanned<raw::Param>>,
        overrides: &[(String, f64)],
    ) -> Result<Vec<Parameter>> {
        let mut out: Vec<Parameter> = Vec::with_capacity(raw.0.len());
        for (name, p) in &raw.0 {
            out.push(self.parameter(name, p)?);
        }
        self.apply_overrides(&mut out, overrides)?;
        for p in &out {
            self.params.insert_const(&p.name, p.value, ValueType::Num);
            self.param_values.push((p.name.clone(), p.value));
        }
        Ok(out)
    }

    /// One parameter: a finite default within its optional range.
    fn parameter(&self, name: &SpannedStr, p: &Spanned<raw::Param>) -> Result<Parameter> {
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
        Ok(Parameter {
            name: name.get_ref().clone(),
            value: default,
            default,
            range,
            doc: p.get_ref().doc.clone(),
        })
    }

    /// Replaces parameter values by the overrides, which must name a
    /// parameter and lie within its range.
    fn apply_overrides(&self, out: &mut [Parameter], overrides: &[(String, f64)]) -> Result<()> {
        for (name, value) in overrides {
            if !value.is_finite() {
                return Err(
                    self.override_error(name, format!("expected a finite number, got {value}"))
                );
            }
            let Some(p) = out.iter_mut().find(|p| &p.name == name) else {
                let known: Vec<&str> = out.iter().map(|p| p.name.as_str()).collect();
                return Err(self.override_error(
                    name,
                    format!(
                        "unknown parameter `{name}`; the scenario's parameters are: {}",
                        if known.is_empty() {
                            "(none)".to_owned()
                        } else {
                            one_of(&known)
                        }
                    ),
                ));
            };
            if let Some((lo, hi)) = p.range
                && (*value < lo || *value > hi)
            {
                return Err(self.override_error(
                    name,
                    format!("{value} is outside the parameter's declared range [{lo}, {hi}]"),
                ));
            }
            p.value = *value;
        }
        Ok(())
    }

    /// An error about the override of parameter `name`, which has no place in the file.
    fn override_error(&self, name: &str, message: String) -> ScenarioError {
        ScenarioError {
            file: self.loc.file.to_owned(),
            line: None,
            column: None,
            field: Some(name.to_owned()),
            overridden: true,
            message,
        }
    }
}
