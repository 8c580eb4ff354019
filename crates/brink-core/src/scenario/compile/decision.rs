//! An agent's `decision` table: which decision rule it follows.

use super::*;

/// The most rounds an agent may look ahead (the cost grows exponentially with it).
pub(super) const MAX_LOOKAHEAD: u32 = 50;

impl Compiler<'_> {
    /// The decision rule of `decision`, with only the keys that rule takes, and its
    /// lookahead (`lookahead`, `discount`: any rule takes them).
    pub(super) fn decision(
        &self,
        d: &Spanned<raw::Decision>,
        field: &str,
    ) -> Result<(DecisionRule, Lookahead)> {
        let rule = self.rule(d, field)?;
        Ok((rule, self.lookahead(d, field)?))
    }

    /// `lookahead` (whole rounds known at load, 0 to [`MAX_LOOKAHEAD`]), `discount` (in [0, 1]),
    /// `plan` (`tree` or `rollout`) and `prune` (in [0, 1)).
    fn lookahead(&self, d: &Spanned<raw::Decision>, field: &str) -> Result<Lookahead> {
        let raw = d.get_ref();
        let rounds = match &raw.lookahead {
            None => 0,
            Some(l) => {
                let field = format!("{field}.lookahead");
                let v = self.constant(l, d.span(), &field, &self.params)?;
                if v.fract() != 0.0 || !(0.0..=f64::from(MAX_LOOKAHEAD)).contains(&v) {
                    return Err(self.loc.at(
                        or_span(l.span(), d.span()),
                        field,
                        format!(
                            "expected a whole number of rounds to look ahead from 0 to {MAX_LOOKAHEAD}, got {v}"
                        ),
                    ));
                }
                v as u32
            }
        };
        let discount = match &raw.discount {
            None => 1.0,
            Some(q) => {
                let v = self.constant(q, d.span(), &format!("{field}.discount"), &self.params)?;
                if !(0.0..=1.0).contains(&v) {
                    return Err(self.loc.at(
                        or_span(q.span(), d.span()),
                        format!("{field}.discount"),
                        format!("expected a discount factor between 0 and 1, got {v}"),
                    ));
                }
                v
            }
        };
        let plan = match &raw.plan {
            None => Plan::Tree,
            Some(p) => match p.get_ref().as_str() {
                "tree" => Plan::Tree,
                "rollout" => Plan::Rollout,
                other => {
                    return Err(self.loc.at(
                        or_span(p.span(), d.span()),
                        format!("{field}.plan"),
                        format!("unknown lookahead plan `{other}`; expected `tree` or `rollout`"),
                    ));
                }
            },
        };
        let prune = match &raw.prune {
            None => 0.0,
            Some(q) => {
                let v = self.constant(q, d.span(), &format!("{field}.prune"), &self.params)?;
                if !(0.0..1.0).contains(&v) {
                    return Err(self.loc.at(
                        or_span(q.span(), d.span()),
                        format!("{field}.prune"),
                        format!(
                            "expected a probability threshold in [0, 1) below which profiles are left out of the lookahead, got {v}"
                        ),
                    ));
                }
                v
            }
        };
        Ok(Lookahead {
            rounds,
            discount,
            plan,
            prune,
        })
    }

    /// The rule itself.
    fn rule(&self, d: &Spanned<raw::Decision>, field: &str) -> Result<DecisionRule> {
        let raw = d.get_ref();
        let rule = raw.rule.get_ref().as_str();
        let allowed = self.rule_keys(raw, field)?;
        self.check_keys(d, field, rule, allowed)?;
        let lambda = self.lambda(d, field)?;
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
                level: self.level(d, field, rule)?,
                lambda,
            }),
            "cognitive_hierarchy" => {
                let level = self.level(d, field, rule)?;
                let tau = self.tau(d, field)?;
                Ok(DecisionRule::CognitiveHierarchy { level, tau, lambda })
            }
            _ => {
                let (prior_weight, prior) = self.fictitious_prior(d, field)?;
                Ok(DecisionRule::FictitiousPlay {
                    prior_weight,
                    prior,
                    lambda,
                })
            }
        }
    }

    /// Which optional keys the rule takes; an unknown rule is an error.
    fn rule_keys(&self, raw: &raw::Decision, field: &str) -> Result<&'static [&'static str]> {
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
        Ok(allowed)
    }

    /// A key the rule does not take is an error naming it.
    fn check_keys(
        &self,
        d: &Spanned<raw::Decision>,
        field: &str,
        rule: &str,
        allowed: &[&str],
    ) -> Result<()> {
        let raw = d.get_ref();
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
                    "takes no parameters but the lookahead's (`lookahead`, `discount`, `plan`, `prune`)".to_owned()
                } else {
                    format!(
                        "takes {} (and `lookahead`, `discount`, `plan`, `prune`)",
                        allowed.join(", ")
                    )
                };
                return Err(self.loc.at(
                    or_span(span, d.span()),
                    format!("{field}.{key}"),
                    format!("`{key}` does not belong to the `{rule}` rule, which {takes}"),
                ));
            }
        }
        Ok(())
    }

    /// `lambda`, the precision of a logit choice, if given.
    fn lambda(&self, d: &Spanned<raw::Decision>, field: &str) -> Result<Option<f64>> {
        let raw = d.get_ref();
        Ok(match &raw.lambda {
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
        })
    }

    /// `level`, required by the level-k and cognitive-hierarchy rules.
    fn level(&self, d: &Spanned<raw::Decision>, field: &str, rule: &str) -> Result<u32> {
        let raw = d.get_ref();
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
    }

    /// `tau`, the mean level of the cognitive-hierarchy rule.
    fn tau(&self, d: &Spanned<raw::Decision>, field: &str) -> Result<f64> {
        let raw = d.get_ref();
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
        Ok(tau)
    }

    /// `prior_weight` and `prior` of the fictitious-play rule.
    fn fictitious_prior(
        &self,
        d: &Spanned<raw::Decision>,
        field: &str,
    ) -> Result<(f64, FictitiousPrior)> {
        let raw = d.get_ref();
        let prior_weight = match &raw.prior_weight {
            None => 1.0,
            Some(w) => {
                let v =
                    self.constant(w, d.span(), &format!("{field}.prior_weight"), &self.params)?;
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
        Ok((prior_weight, prior))
    }
}
