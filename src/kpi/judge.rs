//! Judgement: met / at risk / breached / N/A, decided on the exact value.
//!
//! Pure function of (actual, op, threshold, margin); depends on nothing but the
//! catalogue's `Op` and the model's `Status`. Nothing is rounded before judging.
//!
//! The at-risk band is half-open and includes the threshold:
//! - `>=` with margin `m`: met when `actual >= threshold + m`; at risk when
//!   `threshold <= actual < threshold + m`; breached below `threshold`.
//!   (`>= 99.9`, at_risk 0.05: 99.9 and 99.9499… are at risk, 99.95 is met.)
//! - `<=` with margin `m`: met when `actual <= threshold - m`; at risk when
//!   `threshold - m < actual <= threshold`; breached above `threshold`.
//!
//! The band edge `threshold ± m` is computed in `f64` as written in the
//! catalogue, so `99.9 + 0.05` and the literal `99.95` compare equal.

use crate::model::catalogue::Op;
use crate::model::status::Status;

/// The status of `actual` against `op threshold` with an optional at-risk margin.
/// `None` (no population) is N/A.
pub fn judge(actual: Option<f64>, op: Op, threshold: f64, at_risk: Option<f64>) -> Status {
    let Some(x) = actual else {
        return Status::NotApplicable;
    };
    if x.is_nan() {
        return Status::NotApplicable;
    }
    let m = at_risk.filter(|m| *m > 0.0);
    match op {
        Op::Ge => {
            if x < threshold {
                Status::Breached
            } else if m.is_some_and(|m| x < threshold + m) {
                Status::AtRisk
            } else {
                Status::Met
            }
        }
        Op::Le => {
            if x > threshold {
                Status::Breached
            } else if m.is_some_and(|m| x > threshold - m) {
                Status::AtRisk
            } else {
                Status::Met
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ge_with_margin_boundaries() {
        let j = |x| judge(Some(x), Op::Ge, 99.9, Some(0.05));
        assert_eq!(j(99.89999), Status::Breached);
        assert_eq!(
            j(99.9),
            Status::AtRisk,
            "the threshold itself is met but at risk"
        );
        assert_eq!(j(99.94999), Status::AtRisk);
        assert_eq!(j(99.95), Status::Met, "the band's upper edge is met");
        assert_eq!(j(100.0), Status::Met);
    }

    #[test]
    fn le_with_margin_boundaries() {
        // MTTR <= 4 h, at risk within 0.5 h.
        let j = |x| judge(Some(x), Op::Le, 4.0, Some(0.5));
        assert_eq!(j(4.0000001), Status::Breached);
        assert_eq!(j(4.0), Status::AtRisk);
        assert_eq!(j(3.5000001), Status::AtRisk);
        assert_eq!(j(3.5), Status::Met);
        assert_eq!(j(0.0), Status::Met);
    }

    #[test]
    fn exact_value_decides_not_the_rounded_one() {
        // 99.899999 would print as 99.90 but is below 99.9: breached.
        assert_eq!(judge(Some(99.899999), Op::Ge, 99.9, None), Status::Breached);
        // 2 of 3 = 66.666…% against >= 66.67 is breached though it prints as 66.67.
        assert_eq!(
            judge(Some(2.0 / 3.0 * 100.0), Op::Ge, 66.67, None),
            Status::Breached
        );
    }

    #[test]
    fn no_population_is_na_never_met() {
        assert_eq!(judge(None, Op::Ge, 90.0, None), Status::NotApplicable);
        assert_eq!(judge(None, Op::Le, 0.0, Some(1.0)), Status::NotApplicable);
        assert_eq!(
            judge(Some(f64::NAN), Op::Ge, 90.0, None),
            Status::NotApplicable
        );
    }

    #[test]
    fn no_margin_means_no_at_risk() {
        assert_eq!(judge(Some(90.0), Op::Ge, 90.0, None), Status::Met);
        assert_eq!(judge(Some(90.0), Op::Ge, 90.0, Some(0.0)), Status::Met);
    }
}
