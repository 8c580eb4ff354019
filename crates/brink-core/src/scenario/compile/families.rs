//! Indexed action families (`actions = { d = "0..22" }`), loop variables
//! (`for = { j = "0..22" }` on utility terms and effects) and the selectors
//! that use them: `"d[j]"` and `"t[j..]"` in `when` tables, `A.d[j]` in
//! formulas (docs/SCENARIO.md §5.1).

use super::*;

/// One indexed family of an agent's actions: members `NAME{lo}` to `NAME{hi}`.
#[derive(Clone, Debug)]
pub(super) struct Family {
    pub(super) name: String,
    pub(super) lo: i64,
    pub(super) hi: i64,
    /// Index of the member `lo` in the agent's actions.
    pub(super) first: usize,
}

/// Values of the loop variables of one instance of an entry.
pub(super) type Bindings = Vec<(String, i64)>;

/// `LO..HI` with integer bounds (inclusive), blanks allowed around them.
fn int_range(text: &str) -> Option<(i64, i64)> {
    let (lo, hi) = text.split_once("..")?;
    Some((lo.trim().parse().ok()?, hi.trim().parse().ok()?))
}

impl Compiler<'_> {
    /// Expands `actions = { d = "0..22" }` into `d0` … `d22` (families in file
    /// order), with the families for selectors.
    pub(super) fn action_families(
        &self,
        map: &OrderedMap<SpannedStr, SpannedStr>,
        field: &str,
    ) -> Result<(Vec<SpannedStr>, Vec<Family>)> {
        let mut names = Vec::new();
        let mut families = Vec::new();
        for (name, range) in &map.0 {
            let f = format!("{field}.{}", name.get_ref());
            self.check_name(name, &f, "action family")?;
            let span = or_span(range.span(), name.span());
            let Some((lo, hi)) = int_range(range.get_ref()).filter(|(lo, hi)| lo <= hi) else {
                return Err(self.loc.at(
                    span,
                    f,
                    format!(
                        "expected an index range LO..HI of whole numbers with LO <= HI, e.g. \"0..22\", got {:?}",
                        range.get_ref()
                    ),
                ));
            };
            if lo < 0 || hi - lo >= 64 {
                return Err(self.loc.at(
                    span,
                    f,
                    format!("indices must be >= 0 and a family at most 64 actions, got {lo}..{hi}"),
                ));
            }
            families.push(Family {
                name: name.get_ref().clone(),
                lo,
                hi,
                first: names.len(),
            });
            for k in lo..=hi {
                names.push(Spanned::new(name.span(), format!("{}{k}", name.get_ref())));
            }
        }
        Ok((names, families))
    }

    /// Every combination of the values of the loop variables `vars` (the last
    /// fastest); one empty combination without any.
    pub(super) fn loop_bindings(
        &self,
        vars: &OrderedMap<SpannedStr, SpannedStr>,
        field: &str,
    ) -> Result<Vec<Bindings>> {
        let mut out: Vec<Bindings> = vec![Vec::new()];
        for (name, range) in &vars.0 {
            let f = format!("{field}.for.{}", name.get_ref());
            self.check_name(name, &f, "loop variable")?;
            let Some((lo, hi)) = int_range(range.get_ref()) else {
                return Err(self.loc.at(
                    or_span(range.span(), name.span()),
                    f,
                    format!(
                        "expected a range LO..HI of whole numbers, e.g. \"0..22\", got {:?}",
                        range.get_ref()
                    ),
                ));
            };
            if hi - lo > 10_000 {
                return Err(self.loc.at(
                    or_span(range.span(), name.span()),
                    f,
                    format!("a loop of at most 10001 values is supported, got {lo}..{hi}"),
                ));
            }
            out = out
                .into_iter()
                .flat_map(|b| {
                    (lo..=hi).map(move |v| {
                        let mut b = b.clone();
                        b.push((name.get_ref().clone(), v));
                        b
                    })
                })
                .collect();
        }
        Ok(out)
    }

    /// An index expression: whole numbers and loop variables joined by `+`
    /// and `-`. `at` is where `text` starts in the file (for errors).
    fn index_value(&self, text: &str, at: Range<usize>, field: &str, b: &Bindings) -> Result<i64> {
        let bad = |what: String| self.loc.at(at.clone(), field, what);
        let mut total = 0i64;
        let mut sign = 1i64;
        let mut expect_term = true;
        for tok in text
            .split_inclusive(['+', '-'])
            .flat_map(|t| match t.strip_suffix(['+', '-']) {
                Some(head) => vec![head.trim(), &t[t.len() - 1..]],
                None => vec![t.trim()],
            })
            .filter(|t| !t.is_empty())
        {
            match tok {
                "+" | "-" if !expect_term => {
                    sign = if tok == "-" { -1 } else { 1 };
                    expect_term = true;
                }
                "-" if expect_term => sign = -sign,
                _ if expect_term => {
                    let v = match tok.parse::<i64>() {
                        Ok(v) => v,
                        Err(_) => b.iter().find(|(n, _)| n == tok).map(|&(_, v)| v).ok_or_else(|| {
                            let known: Vec<&str> = b.iter().map(|(n, _)| n.as_str()).collect();
                            bad(format!(
                                "unknown index `{tok}`; expected whole numbers and loop variables ({}) joined by + and -",
                                if known.is_empty() { "none here".to_owned() } else { known.join(", ") }
                            ))
                        })?,
                    };
                    total += sign * v;
                    sign = 1;
                    expect_term = false;
                }
                _ => return Err(bad(format!("malformed index `{text}`"))),
            }
        }
        if expect_term {
            return Err(bad(format!("malformed index `{text}`")));
        }
        Ok(total)
    }

    /// The actions a `when` entry names: an action, `FAMILY[I]` (one member)
    /// or `FAMILY[LO..HI]` (the members in the range, either bound optional).
    /// A range may select none.
    pub(super) fn select_actions(
        &self,
        act: &SpannedStr,
        at: Range<usize>,
        shell: &Shell,
        field: &str,
        b: &Bindings,
    ) -> Result<Vec<usize>> {
        let text = act.get_ref();
        let Some((fam, rest)) = text.split_once('[') else {
            return match shell.actions.iter().position(|x| x == text) {
                Some(k) => Ok(vec![k]),
                None => Err(self.loc.at(
                    at,
                    field,
                    format!(
                        "`{text}` is not an action of `{}`; expected one of: {}",
                        shell.name,
                        shell.actions.join(", ")
                    ),
                )),
            };
        };
        let Some(inner) = rest.strip_suffix(']') else {
            return Err(self.loc.at(
                at,
                field,
                format!("`{text}`: expected FAMILY[INDEX] or FAMILY[LO..HI]"),
            ));
        };
        let Some(family) = shell.families.iter().find(|f| f.name == fam.trim()) else {
            let known: Vec<&str> = shell.families.iter().map(|f| f.name.as_str()).collect();
            return Err(self.loc.at(
                at,
                field,
                format!(
                    "`{}` is not an action family of `{}`; expected one of: {}",
                    fam.trim(),
                    shell.name,
                    one_of(&known)
                ),
            ));
        };
        let member = |k: i64| family.first + (k - family.lo) as usize;
        match inner.split_once("..") {
            None => {
                let k = self.index_value(inner, at.clone(), field, b)?;
                if k < family.lo || k > family.hi {
                    return Err(self.loc.at(
                        at,
                        field,
                        format!(
                            "`{text}`: index {k} is outside the family `{}` ({}..{})",
                            family.name, family.lo, family.hi
                        ),
                    ));
                }
                Ok(vec![member(k)])
            }
            Some((lo, hi)) => {
                let lo = match lo.trim() {
                    "" => family.lo,
                    t => self.index_value(t, at.clone(), field, b)?.max(family.lo),
                };
                let hi = match hi.trim() {
                    "" => family.hi,
                    t => self.index_value(t, at.clone(), field, b)?.min(family.hi),
                };
                Ok((lo..=hi).map(member).collect())
            }
        }
    }

    /// `text` with every `[INDEX]` that follows a name replaced by the index's
    /// value, padded with blanks to the same length (so that error positions in
    /// the formula stay right): `A.d[j]` → `A.d5  `.
    pub(super) fn substitute_indices(
        &self,
        text: &str,
        span: Range<usize>,
        field: &str,
        b: &Bindings,
    ) -> Result<String> {
        if !text.contains('[') {
            return Ok(text.to_owned());
        }
        let body = if span == (0..0) {
            0
        } else {
            self.loc.string_body_start(&span)
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('[') {
            let at = body + (text.len() - rest.len()) + open;
            let Some(close) = rest[open..].find(']').map(|c| open + c) else {
                return Err(self.loc.at(at..at + 1, field, "`[` without a closing `]`"));
            };
            let inner = &rest[open + 1..close];
            let k = self.index_value(inner, at..at + close - open + 1, field, b)?;
            let digits = k.to_string();
            let width = close - open + 1;
            if digits.len() > width {
                return Err(self.loc.at(
                    at..at + width,
                    field,
                    format!("index {k} does not fit in `[{inner}]`; write the action's name"),
                ));
            }
            out.push_str(&rest[..open]);
            out.push_str(&digits);
            out.push_str(&" ".repeat(width - digits.len()));
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Symbols `syms` with the loop variables as constants.
    pub(super) fn with_bindings(&self, syms: &Symbols, b: &Bindings) -> Symbols {
        let mut s = syms.clone();
        for (name, v) in b {
            s.insert_const(name, *v as f64, ValueType::Num);
        }
        s
    }
}
