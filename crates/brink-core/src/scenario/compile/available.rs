//! `available`: action masks, a true/false formula per action over the world's public
//! quantities (parameters, state variables, `round`).

use super::*;

impl Compiler<'_> {
    /// Names an availability formula may use: parameters, state variables and `round`.
    fn availability_symbols(&self, state: &[StateVar], layout: &FrameLayout) -> Symbols {
        let mut s = self.symbols("parameters, state variables and `round`");
        for (i, v) in state.iter().enumerate() {
            s.insert_var(&v.name, i, ValueType::Num);
        }
        s.insert_var("round", layout.round, ValueType::Num);
        s
    }

    /// `available`: per action, its condition (None: always available). Keys must be
    /// the agent's actions, each at most once, and at least one action must stay
    /// unconditional so that an agent always has something to play.
    pub(super) fn available(
        &self,
        a: &raw::Agent,
        shell: &Shell,
        field: &str,
        state: &[StateVar],
        layout: &FrameLayout,
    ) -> Result<Vec<Option<expr::Expr>>> {
        let mut out: Vec<Option<expr::Expr>> = vec![None; shell.actions.len()];
        let Some(table) = &a.available else {
            return Ok(out);
        };
        let symbols = self.availability_symbols(state, layout);
        for (action, formula) in &table.get_ref().0 {
            let f = format!("{field}.available.{}", action.get_ref());
            let Some(k) = shell.actions.iter().position(|x| x == action.get_ref()) else {
                return Err(self.loc.at(
                    action.span(),
                    f,
                    format!(
                        "unknown action `{}` of agent `{}`; expected one of: {}",
                        action.get_ref(),
                        shell.name,
                        shell.actions.join(", ")
                    ),
                ));
            };
            if out[k].is_some() {
                return Err(self.loc.at(
                    action.span(),
                    f,
                    format!("duplicate action `{}` in `available`", action.get_ref()),
                ));
            }
            out[k] = Some(self.formula(
                formula.get_ref(),
                formula.span(),
                &f,
                &symbols,
                ValueType::Bool,
            )?);
        }
        if out.iter().all(Option::is_some) {
            return Err(self.loc.at(
                table.span(),
                format!("{field}.available"),
                format!(
                    "every action of agent `{}` has an `available` condition; leave at least one action without one, so that the agent always has an action it can play",
                    shell.name
                ),
            ));
        }
        Ok(out)
    }
}
