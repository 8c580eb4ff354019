//! Interdependent values: an agent's utility terms and terminal payoffs reading
//! another agent's type values (`OTHER.VALUE`, `docs/SCENARIO.md` §6.4.1).
//!
//! A utility term that reads the values of other agents with several types is
//! compiled once per combination of those agents' types, each copy with their values
//! folded in as constants and a condition on their types ([`Term::types`]): the
//! utility stays a sum of terms, and its expectation over the reader's beliefs is
//! exact however non-linear the formula is. Agents with a single type have known
//! values, folded in directly. Payoff formulas read the values from the frame.

use super::agents::Shell;
use super::*;

/// Most copies one utility term may expand into (combinations of the types of the
/// agents it reads).
const MAX_TYPE_COMBINATIONS: usize = 4096;

impl Compiler<'_> {
    /// Adds to an agent's own symbols the type values of every other agent `j`:
    /// constants when `j` has a single type, frame slots otherwise (a term reading
    /// them is then expanded by [`Compiler::expand_by_types`]).
    pub(super) fn insert_other_values(
        s: &mut Symbols,
        i: usize,
        shells: &[Shell],
        layout: &FrameLayout,
    ) {
        for (j, sh) in shells.iter().enumerate().filter(|(j, _)| *j != i) {
            for (k, v) in sh.value_names.iter().enumerate() {
                let name = format!("{}.{v}", sh.name);
                if sh.types.len() == 1 {
                    s.insert_const(&name, sh.types[0].values[k], ValueType::Num);
                } else {
                    s.insert_var(&name, layout.values[j] + k, ValueType::Num);
                }
            }
        }
    }

    /// Checks the type-value references of agent `i`'s formula before it is compiled:
    /// `NAME.VALUE` for its own `NAME` is refused (its own values are `self.VALUE`; the
    /// other spelling is not taken as a synonym), and so is `OTHER.X` for an agent
    /// without type values when `X` is not one of its actions (actions keep the
    /// ordinary unknown-name error: conditions on actions go in `when`).
    pub(super) fn check_value_references(
        &self,
        q: &Spanned<Quantity>,
        fallback: Range<usize>,
        field: &str,
        i: usize,
        shells: &[Shell],
    ) -> Result<()> {
        let Quantity::Formula(text) = q.get_ref() else {
            return Ok(());
        };
        let own = &shells[i];
        let mine = own
            .value_names
            .iter()
            .filter_map(|v| find_reference(text, &format!("{}.{v}", own.name)).map(|at| (at, v)))
            .min_by_key(|(at, _)| *at);
        let at_text = |at: usize, len: usize| {
            let span = or_span(q.span(), fallback.clone());
            let start = self.loc.string_body_start(&span) + at;
            start..start + len
        };
        if let Some((at, v)) = mine {
            return Err(self.loc.at(
                at_text(at, own.name.len() + 1 + v.len()),
                field,
                format!(
                    "`{}.{v}` is `{}`'s own type value; in its own formulas write `self.{v}`",
                    own.name, own.name
                ),
            ));
        }
        for (j, sh) in shells.iter().enumerate() {
            if j == i || !sh.value_names.is_empty() {
                continue;
            }
            let Some((at, name)) = find_member(text, &sh.name) else {
                continue;
            };
            if sh.actions.iter().any(|a| *a == name) {
                continue;
            }
            return Err(self.loc.at(
                at_text(at, sh.name.len() + 1 + name.len()),
                field,
                format!(
                    "`{}` has no type values (no `types` with `values`), so `{}.{name}` names nothing",
                    sh.name, sh.name
                ),
            ));
        }
        Ok(())
    }

    /// The other agents (several types each) whose type values the compiled formulas
    /// read from the frame, in agent order.
    pub(super) fn agents_read(
        exprs: &[expr::Expr],
        i: usize,
        shells: &[Shell],
        layout: &FrameLayout,
    ) -> Vec<usize> {
        let mut read: Vec<usize> = exprs
            .iter()
            .flat_map(|e| e.slots())
            .filter_map(|slot| {
                shells.iter().enumerate().position(|(j, sh)| {
                    j != i
                        && sh.types.len() > 1
                        && (layout.values[j]..layout.values[j] + sh.value_names.len())
                            .contains(&slot)
                })
            })
            .collect();
        read.sort_unstable();
        read.dedup();
        read
    }

    /// A utility term's value (one formula per own type in `own`) expanded over the
    /// types of the agents in `read`: one [`Term`] per combination, in mixed radix
    /// (first agent slowest), each with those agents' values folded in.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn expand_by_types(
        &self,
        value: &Spanned<Quantity>,
        fallback: Range<usize>,
        field: &str,
        own: &[Symbols],
        read: &[usize],
        shells: &[Shell],
        conditions: &[Condition],
    ) -> Result<Vec<Term>> {
        let combos = read
            .iter()
            .try_fold(1usize, |n, &j| n.checked_mul(shells[j].types.len()))
            .filter(|&n| n <= MAX_TYPE_COMBINATIONS)
            .ok_or_else(|| {
                self.loc.at(
                    or_span(value.span(), fallback.clone()),
                    field,
                    format!(
                        "this term reads the type values of {}, whose types have more than {MAX_TYPE_COMBINATIONS} combinations; split it into terms that read fewer agents",
                        read.iter()
                            .map(|&j| format!("`{}`", shells[j].name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
        let mut terms = Vec::with_capacity(combos);
        let mut types = vec![0usize; read.len()];
        for mut c in 0..combos {
            for (k, &j) in read.iter().enumerate().rev() {
                let n = shells[j].types.len();
                types[k] = c % n;
                c /= n;
            }
            let value_by_type = own
                .iter()
                .map(|syms| {
                    let mut syms = syms.clone();
                    for (&j, &t) in read.iter().zip(&types) {
                        let sh = &shells[j];
                        for (name, &v) in sh.value_names.iter().zip(&sh.types[t].values) {
                            syms.insert_const(&format!("{}.{name}", sh.name), v, ValueType::Num);
                        }
                    }
                    self.quantity(value, fallback.clone(), field, &syms)
                })
                .collect::<Result<Vec<_>>>()?;
            terms.push(Term::new(
                conditions.to_vec(),
                value_by_type,
                read.iter().copied().zip(types.iter().copied()).collect(),
            ));
        }
        Ok(terms)
    }
}

/// Byte offset of the first whole-word occurrence of the dotted name `name` in
/// `text` (not part of a longer name on either side).
fn find_reference(text: &str, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.';
    let mut from = 0;
    while let Some(k) = text[from..].find(name) {
        let at = from + k;
        let end = at + name.len();
        let before = at == 0 || !word(bytes[at - 1]);
        let after = end == bytes.len() || !word(bytes[end]);
        if before && after {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The first whole-word `AGENT.MEMBER` in `text` for the agent name `agent`: its
/// byte offset and `MEMBER`.
fn find_member<'t>(text: &'t str, agent: &str) -> Option<(usize, &'t str)> {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let prefix = format!("{agent}.");
    let mut from = 0;
    while let Some(k) = text[from..].find(&prefix) {
        let at = from + k;
        let start = at + prefix.len();
        let end = start + bytes[start..].iter().take_while(|&&b| ident(b)).count();
        if (at == 0 || !(ident(bytes[at - 1]) || bytes[at - 1] == b'.')) && end > start {
            return Some((at, &text[start..end]));
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{find_member, find_reference};

    #[test]
    fn finds_members_of_an_agent() {
        assert_eq!(
            find_member("1 + usa.resolve * 2", "usa"),
            Some((4, "resolve"))
        );
        assert_eq!(find_member("xusa.resolve", "usa"), None);
        assert_eq!(find_member("usa. + 1", "usa"), None);
    }

    #[test]
    fn finds_whole_dotted_names_only() {
        assert_eq!(find_reference("a.x + 1", "a.x"), Some(0));
        assert_eq!(find_reference("ba.x + a.x", "a.x"), Some(7));
        assert_eq!(find_reference("a.xy + a.x", "a.x"), Some(7));
        assert_eq!(find_reference("self.a.x", "a.x"), None);
        assert_eq!(find_reference("a.xy", "a.x"), None);
    }
}
