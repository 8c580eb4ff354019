//! `[equilibrium]`: how runs are classified against the stage game's equilibria.

use super::*;

impl Compiler<'_> {
    /// `[equilibrium]`: the classification settings, defaults when absent.
    pub(super) fn classification(
        &self,
        raw: Option<&Spanned<raw::Classification>>,
        agents: &[AgentSpec],
    ) -> Result<Classification> {
        let applicable = applicable_concepts(agents);
        let Some(c) = raw else {
            return Ok(Classification {
                concepts: applicable,
                ..Classification::default()
            });
        };
        let mut out = Classification {
            concepts: applicable,
            ..Classification::default()
        };
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
        if let Some(e) = &c.get_ref().epsilon {
            let v = *e.get_ref();
            if !(v >= 0.0 && v.is_finite()) {
                return Err(self.loc.at(
                    e.span(),
                    "equilibrium.epsilon",
                    format!("expected a regret of 0 or more, got {v}"),
                ));
            }
            out.epsilon = v;
        }
        if let Some(t) = &c.get_ref().qre_tolerance {
            let v = *t.get_ref();
            if !(0.0..=1.0).contains(&v) {
                return Err(self.loc.at(
                    t.span(),
                    "equilibrium.qre_tolerance",
                    format!("expected a distance between 0 and 1, got {v}"),
                ));
            }
            out.qre_tolerance = v;
        }
        if let Some(list) = &c.get_ref().concepts {
            out.concepts = self.concepts(list, agents)?;
        }
        Ok(out)
    }

    /// `[equilibrium] concepts`: known names, no repeats, each applicable.
    fn concepts(
        &self,
        list: &Spanned<Vec<Spanned<String>>>,
        agents: &[AgentSpec],
    ) -> Result<Concepts> {
        let mut out = Concepts::default();
        if list.get_ref().is_empty() {
            return Err(self.loc.at(
                list.span(),
                "equilibrium.concepts",
                "expected at least one of \"nash\", \"bayes_nash\", \"qre\"",
            ));
        }
        for name in list.get_ref() {
            let slot = match name.get_ref().as_str() {
                "nash" => &mut out.nash,
                "bayes_nash" => &mut out.bayes_nash,
                "qre" => &mut out.qre,
                other => {
                    return Err(self.loc.at(
                        name.span(),
                        "equilibrium.concepts",
                        format!(
                            "unknown concept \"{other}\"; expected \"nash\", \"bayes_nash\" or \"qre\""
                        ),
                    ));
                }
            };
            if *slot {
                return Err(self.loc.at(
                    name.span(),
                    "equilibrium.concepts",
                    format!("concept \"{}\" is listed twice", name.get_ref()),
                ));
            }
            *slot = true;
        }
        if out.qre && !agents.iter().all(on_logit) {
            let who = agents
                .iter()
                .find(|a| !on_logit(a))
                .map_or("", |a| a.name.as_str());
            return Err(self.loc.at(
                list.span(),
                "equilibrium.concepts",
                format!(
                    "\"qre\" needs every agent on the logit rule (the QRE uses each agent's λ), but `{who}` is on another rule"
                ),
            ));
        }
        if out.bayes_nash && agent_type_profiles(agents) > MAX_STAGE_PROFILES {
            return Err(self.loc.at(
                list.span(),
                "equilibrium.concepts",
                format!(
                    "\"bayes_nash\": the agent-type form has {} profiles, more than {MAX_STAGE_PROFILES}",
                    agent_type_profiles(agents)
                ),
            ));
        }
        Ok(out)
    }
}

/// The logit precision of agent `a` of type `t` when that type is on the logit rule
/// (a type's rule is the agent's unless the type sets its own).
pub fn logit_lambda(a: &AgentSpec, t: usize) -> Option<f64> {
    match a.types[t].rule {
        crate::DecisionRule::Logit { lambda } => Some(lambda),
        _ => None,
    }
}

/// Whether every type of `a` is on the logit rule, so that the QRE has a λ for `a`
/// whichever type is realised.
pub fn on_logit(a: &AgentSpec) -> bool {
    (0..a.types.len()).all(|t| logit_lambda(a, t).is_some())
}

/// Number of pure profiles of the agent-type form (saturating).
pub fn agent_type_profiles(agents: &[AgentSpec]) -> u64 {
    agents.iter().fold(1u64, |acc, a| {
        (0..a.types.len()).fold(acc, |m, _| m.saturating_mul(a.actions.len() as u64))
    })
}

/// The concepts that apply by default: Nash always; Bayesian Nash when some agent
/// has more than one type and the agent-type form is at most
/// [`MAX_STAGE_PROFILES`] profiles; the QRE when every type of every agent is on
/// the logit rule.
fn applicable_concepts(agents: &[AgentSpec]) -> Concepts {
    Concepts {
        nash: true,
        bayes_nash: agents.iter().any(|a| a.types.len() > 1)
            && agent_type_profiles(agents) <= MAX_STAGE_PROFILES,
        qre: agents.iter().all(on_logit),
    }
}
