//! `[equilibrium]`: how runs are classified against the stage game's equilibria.

use super::*;

impl Compiler<'_> {
    /// `[equilibrium]`: the classification settings, defaults when absent.
    pub(super) fn classification(
        &self,
        raw: Option<&Spanned<raw::Classification>>,
    ) -> Result<Classification> {
        let Some(c) = raw else {
            return Ok(Classification::default());
        };
        let mut out = Classification::default();
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
        Ok(out)
    }
}
