//! The licence as it stands today: a trial runs out `trial_days` after the database was created.

use synclink_core::LicenseKind;
use synclink_core::api::License;

const DAY: i64 = 86_400;

/// The licence in force at `now`. A trial with no day left counts as expired, so that every
/// rule that refuses an expired licence refuses it too.
pub fn current(kind: LicenseKind, trial_days: u32, trial_start: i64, now: i64) -> License {
    if kind != LicenseKind::Trial {
        return License {
            kind,
            days_left: None,
        };
    }
    let end = trial_start.saturating_add(i64::from(trial_days).saturating_mul(DAY));
    let left = end.saturating_sub(now);
    if left <= 0 {
        return License {
            kind: LicenseKind::Expired,
            days_left: None,
        };
    }
    // A part of a day still counts as a day left.
    let days = left.saturating_add(DAY - 1) / DAY;
    License {
        kind,
        days_left: Some(u32::try_from(days).unwrap_or(u32::MAX)),
    }
}

/// Why this licence does not let the administrator initiate, if it does not.
pub fn initiate_blocked(configured: LicenseKind, license: &License) -> Option<String> {
    match (configured, license.kind) {
        (LicenseKind::Trial, LicenseKind::Expired) => Some(
            "The trial period has ended: a Trial with days left or a Paid licence is needed to initiate a connection."
                .to_string(),
        ),
        (_, LicenseKind::Expired) => Some(
            "The synclink licence has expired: a Trial or Paid licence is needed to initiate a connection."
                .to_string(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_counts_days_and_runs_out() {
        let start = 1_000_000;
        let at = |secs| current(LicenseKind::Trial, 30, start, start + secs);
        assert_eq!(at(0).days_left, Some(30));
        assert_eq!(at(1).days_left, Some(30));
        assert_eq!(at(DAY).days_left, Some(29));
        assert_eq!(at(30 * DAY - 1).days_left, Some(1));
        assert_eq!(at(30 * DAY).kind, LicenseKind::Expired);
        assert_eq!(
            current(LicenseKind::Trial, 0, start, start).kind,
            LicenseKind::Expired
        );
        assert_eq!(
            current(LicenseKind::Paid, 0, start, start + 100 * DAY).kind,
            LicenseKind::Paid
        );
    }

    #[test]
    fn only_an_expired_licence_blocks() {
        let expired = current(LicenseKind::Trial, 0, 0, 10);
        assert!(
            initiate_blocked(LicenseKind::Trial, &expired)
                .unwrap()
                .contains("trial")
        );
        let paid = current(LicenseKind::Paid, 0, 0, 10);
        assert_eq!(initiate_blocked(LicenseKind::Paid, &paid), None);
        let ex = current(LicenseKind::Expired, 0, 0, 10);
        assert!(
            initiate_blocked(LicenseKind::Expired, &ex)
                .unwrap()
                .contains("expired")
        );
    }
}
