//! Field validation that reports every problem of a body at once.

use super::{AppError, FieldError};

/// The longest text kept on one line.
const ONE_LINE: usize = 500;

/// Collects field errors while a request body is turned into domain values.
#[derive(Debug, Default)]
pub struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A day within the years the service reports on (2000 to 2100, as every `year` it is
    /// asked for): a record dated outside could never be reported.
    pub fn reportable_day(&mut self, field: &str, day: chrono::NaiveDate) {
        if year(chrono::Datelike::year(&day)).is_err() {
            self.fail(field, "must fall within 2000 to 2100");
        }
    }

    /// Trimmed text of 1 to `max` characters with at least one visible character. Text of up
    /// to `ONE_LINE` characters (a name, a title, a number) holds no control character; longer
    /// text (a decision, a petition, facts) may span lines and hold tabs.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let forbidden = |c: char| {
            if max <= ONE_LINE {
                c.is_control()
            } else {
                is_stray_control(c)
            }
        };
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, "must not be empty");
        } else if v.chars().all(is_invisible) {
            self.fail(field, "must contain a visible character");
        } else if v.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        } else if v.chars().any(forbidden) {
            self.fail(field, "must not contain control characters");
        }
        v.to_owned()
    }

    /// Optional free text of at most `max` characters (counted as given), trimmed.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) -> String {
        if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        value.trim().to_owned()
    }

    /// Text of 1 to `max` characters drawn from `allowed`.
    pub fn token(&mut self, field: &str, value: &str, max: usize, allowed: fn(char) -> bool, what: &str) -> String {
        if value.is_empty() || value.chars().count() > max || !value.chars().all(allowed) {
            self.fail(field, format!("must be 1 to {max} characters of {what}"));
        }
        value.to_owned()
    }

    /// Ok when nothing failed; otherwise one 422 listing every field.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid(self.errors))
        }
    }
}

/// A control character free text may not hold: any but tab and the line breaks.
pub fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Characters that show nothing: white space and the format characters (zero-width spaces and
/// joiners, direction marks, the soft hyphen, the byte-order mark) that `trim` leaves.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}')
}

/// Whether an item comes twice in `items` (a list that names each thing once).
pub fn has_repeats<T: Ord>(items: impl IntoIterator<Item = T>) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    items.into_iter().any(|item| !seen.insert(item))
}

/// A calendar year the service keeps (2000 to 2100), or 400.
pub fn year(year: i32) -> Result<i32, AppError> {
    (2000..=2100)
        .contains(&year)
        .then_some(year)
        .ok_or_else(|| AppError::BadRequest("year must be from 2000 to 2100".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_is_reported() {
        let mut c = Check::default();
        assert_eq!(c.text("name", "  综合处 ", 10), "综合处");
        c.text("a", "   ", 10);
        c.text("b", "abcdef", 5);
        c.text("c", "x\u{0}y", 5);
        c.token("d", "A B", 8, |ch| ch.is_ascii_alphanumeric(), "letters and digits");
        c.text("e", "\u{200b}\u{200f}\u{feff}", 10);
        assert_eq!(c.text("f", "\u{200b}综合处", 10), "\u{200b}综合处");
        c.text("g", "综合\n处", 10);
        assert_eq!(c.text("h", "第一段\r\n\t第二段", 1000), "第一段\r\n\t第二段");
        let AppError::Unprocessable { errors, .. } = c.finish().unwrap_err() else {
            panic!("expected 422")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "c", "d", "e", "g"]);
    }
}
