//! The rules in force: article references (every rule the service applies names where it
//! comes from), the versioned rule set and the working-day calendar.

pub mod api;
pub mod calendar;
pub mod ruleset;
pub mod store;

use serde::{Serialize, Serializer};

/// The five safeguard regimes (DOMAIN.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regime {
    /// 行政执法公示制度 — publicity.
    Pub,
    /// 行政执法监督检查制度 — supervision and inspection.
    Sup,
    /// 行政执法学习和培训制度 — study and training.
    Trn,
    /// 行政执法过错追究制度 — fault accountability.
    Acc,
    /// 行政执法评议考核制度 — evaluation and assessment.
    Eval,
}

impl Regime {
    fn prefix(self) -> &'static str {
        match self {
            Self::Pub => "PUB",
            Self::Sup => "SUP",
            Self::Trn => "TRN",
            Self::Acc => "ACC",
            Self::Eval => "EVAL",
        }
    }
}

/// One article, optionally one item of it: `ACC-5(2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArticleRef {
    pub regime: Regime,
    pub article: u8,
    pub item: Option<u8>,
}

impl ArticleRef {
    pub const fn article(regime: Regime, article: u8) -> Self {
        Self {
            regime,
            article,
            item: None,
        }
    }

    pub const fn item(regime: Regime, article: u8, item: u8) -> Self {
        Self {
            regime,
            article,
            item: Some(item),
        }
    }
}

impl std::fmt::Display for ArticleRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.regime.prefix(), self.article)?;
        match self.item {
            Some(item) => write!(f, "({item})"),
            None => Ok(()),
        }
    }
}

impl Serialize for ArticleRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The articles a result or a refusal rests on; serialised as `["ACC-5(2)", ...]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Basis(pub Vec<ArticleRef>);

impl Basis {
    pub fn of(refs: &[ArticleRef]) -> Self {
        Self(refs.to_vec())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_print_as_the_domain_writes_them() {
        assert_eq!(ArticleRef::item(Regime::Acc, 5, 2).to_string(), "ACC-5(2)");
        assert_eq!(ArticleRef::article(Regime::Sup, 5).to_string(), "SUP-5");
        let basis = Basis::of(&[
            ArticleRef::item(Regime::Eval, 5, 3),
            ArticleRef::article(Regime::Acc, 13),
        ]);
        assert_eq!(serde_json::to_string(&basis).unwrap(), r#"["EVAL-5(3)","ACC-13"]"#);
    }
}
