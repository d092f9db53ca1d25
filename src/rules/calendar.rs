//! The Chinese working-day calendar: weekends are off unless listed as make-up working days
//! (调休上班日); listed public holidays are off even on weekdays.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};

crate::text_enum! {
    /// A listed day of a year's schedule.
    pub enum DayKind {
        /// 法定节假日: off, even on a weekday.
        Holiday = "holiday",
        /// 调休上班日: a working day, even on a weekend.
        MakeUpWorkday = "make_up_workday",
    }
}

crate::text_enum! {
    /// Why a day was not counted.
    pub enum OffReason {
        Weekend = "weekend",
        Holiday = "holiday",
    }
}

/// The listed days of some years, and which years have a schedule at all.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    pub days: BTreeMap<NaiveDate, DayKind>,
    pub loaded_years: BTreeSet<i32>,
}

impl Calendar {
    /// `None` for a working day; otherwise why the day is off.
    pub fn off_reason(&self, day: NaiveDate) -> Option<OffReason> {
        match self.days.get(&day) {
            Some(DayKind::Holiday) => Some(OffReason::Holiday),
            Some(DayKind::MakeUpWorkday) => None,
            None if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) => Some(OffReason::Weekend),
            None => None,
        }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        self.off_reason(day).is_none()
    }

    /// The years without a schedule that a count from the day after `from` to `due_on` crossed.
    pub fn unscheduled_between(&self, from: NaiveDate, due_on: NaiveDate) -> Vec<i32> {
        let first = from.succ_opt().unwrap_or(from).year();
        (first..=due_on.year())
            .filter(|y| !self.loaded_years.contains(y))
            .collect()
    }
}

/// The result of counting working days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDate {
    /// The last allowed day; overdue from the next calendar day.
    pub due_on: NaiveDate,
    /// The working days counted, in order (the last is `due_on`).
    pub counted: Vec<NaiveDate>,
    /// The days passed over, with the reason.
    pub skipped: Vec<(NaiveDate, OffReason)>,
    /// Years the count crossed that have no schedule loaded (weekends only were used).
    pub years_without_schedule: Vec<i32>,
}

/// The first and last day of a calendar year.
pub fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX),
    )
}

/// Counts `n` working days after `from` (counting starts the day after; `n` ≥ 1).
pub fn add_working_days(cal: &Calendar, from: NaiveDate, n: u32) -> DueDate {
    let mut counted = Vec::with_capacity(n as usize);
    let mut skipped = Vec::new();
    let mut day = from;
    while counted.len() < n as usize {
        day = day.succ_opt().expect("dates stay far inside chrono's range");
        match cal.off_reason(day) {
            None => counted.push(day),
            Some(reason) => skipped.push((day, reason)),
        }
    }
    DueDate {
        due_on: day,
        counted,
        skipped,
        years_without_schedule: cal.unscheduled_between(from, day),
    }
}

/// What a result counted over years without a schedule says about them.
pub fn no_schedule_warnings(years: Vec<i32>) -> Vec<String> {
    years
        .into_iter()
        .map(|y| format!("no holiday schedule is loaded for {y}: only weekends were treated as days off"))
        .collect()
}

/// The problems of a year's schedule, by field.
pub fn validate_schedule(year: i32, holidays: &[NaiveDate], workdays: &[NaiveDate]) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (field, days) in [("holidays", holidays), ("make_up_workdays", workdays)] {
        for d in days {
            if d.year() != year {
                problems.push((field.to_owned(), format!("{d} is not in {year}")));
            }
            if !seen.insert(*d) {
                problems.push((field.to_owned(), format!("{d} is listed more than once")));
            }
            if field == "make_up_workdays" && !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                problems.push((
                    field.to_owned(),
                    format!("{d} is a weekday; only a weekend day can be a make-up working day"),
                ));
            }
        }
    }
    problems
}

/// The State Council's schedule for 2026 (国务院办公厅, 2025-11-04): shipped as the default.
pub fn shipped_schedule(year: i32) -> Option<(Vec<NaiveDate>, Vec<NaiveDate>)> {
    if year != 2026 {
        return None;
    }
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2026, m, day).expect("valid 2026 date");
    let range = |m: u32, a: u32, b: u32| (a..=b).map(move |x| d(m, x));
    let holidays = range(1, 1, 3)
        .chain(range(2, 15, 23))
        .chain(range(4, 4, 6))
        .chain(range(5, 1, 5))
        .chain(range(6, 19, 21))
        .chain(range(9, 25, 27))
        .chain(range(10, 1, 7))
        .collect();
    let workdays = vec![d(1, 4), d(2, 14), d(2, 28), d(5, 9), d(9, 20), d(10, 10)];
    Some((holidays, workdays))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn with(year: i32, holidays: &[&str], workdays: &[&str]) -> Calendar {
        let mut c = Calendar::default();
        c.loaded_years.insert(year);
        for h in holidays {
            c.days.insert(d(h), DayKind::Holiday);
        }
        for w in workdays {
            c.days.insert(d(w), DayKind::MakeUpWorkday);
        }
        c
    }

    fn shipped() -> Calendar {
        let (h, w) = shipped_schedule(2026).unwrap();
        let mut c = Calendar::default();
        c.loaded_years.insert(2026);
        c.days.extend(h.into_iter().map(|x| (x, DayKind::Holiday)));
        c.days.extend(w.into_iter().map(|x| (x, DayKind::MakeUpWorkday)));
        c
    }

    #[test]
    fn the_issue_example_a_penalty_on_28_december() {
        let cal = with(2027, &["2027-01-01", "2027-01-02", "2027-01-03"], &[]);
        let due = add_working_days(&cal, d("2026-12-28"), 7);
        assert_eq!(due.due_on, d("2027-01-07"));
        assert_eq!(due.counted.first(), Some(&d("2026-12-29")));
        assert_eq!(due.years_without_schedule, [2026]);
    }

    #[test]
    fn make_up_days_count_and_holidays_do_not() {
        let cal = shipped();
        // Fri 2026-01-02 is a holiday, Sun 2026-01-04 a make-up working day.
        let due = add_working_days(&cal, d("2025-12-31"), 1);
        assert_eq!(due.due_on, d("2026-01-04"));
        assert_eq!(due.skipped.len(), 3);
        // Spring festival: from Fri 2026-02-13, Sat 02-14 is a make-up day; 15–23 are off.
        let due = add_working_days(&cal, d("2026-02-13"), 2);
        assert_eq!(due.counted, [d("2026-02-14"), d("2026-02-24")]);
        // National day: decided Tue 2026-09-29, 7 working days: 09-30, 10-08, 10-09, 10-10
        // (a Saturday made up), 10-12, 10-13, 10-14.
        let due = add_working_days(&cal, d("2026-09-29"), 7);
        assert_eq!(due.due_on, d("2026-10-14"));
        assert!(due.years_without_schedule.is_empty());
    }

    #[test]
    fn a_schedule_refuses_days_listed_twice_or_outside_the_year() {
        // 2027-01-02 is a Saturday, 2027-01-05 a Tuesday.
        let problems = validate_schedule(
            2027,
            &[d("2027-01-02"), d("2026-12-31")],
            &[d("2027-01-02"), d("2027-01-05")],
        );
        let fields: Vec<_> = problems.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        assert_eq!(fields.len(), 3, "{fields:?}");
        assert!(fields[0].contains("2026-12-31 is not in 2027"));
        assert!(fields[1].contains("2027-01-02 is listed more than once"));
        assert!(fields[2].contains("2027-01-05 is a weekday"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn the_due_day_is_a_working_day_and_more_days_are_never_earlier(
            offset in 0i64..900, n in 1u32..60, extra in 0u32..30,
        ) {
            let cal = shipped();
            let from = d("2025-10-01") + chrono::TimeDelta::days(offset);
            let a = add_working_days(&cal, from, n);
            let b = add_working_days(&cal, from, n + extra);
            prop_assert!(cal.is_working_day(a.due_on));
            prop_assert_eq!(a.counted.len(), n as usize);
            prop_assert!(a.due_on > from);
            prop_assert!(b.due_on >= a.due_on);
            prop_assert!(a.counted.iter().all(|x| cal.is_working_day(*x)));
            prop_assert!(a.skipped.iter().all(|(x, _)| !cal.is_working_day(*x)));
        }
    }
}
