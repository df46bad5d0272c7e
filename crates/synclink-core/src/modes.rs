//! Which configuration modes a pair of instances can use, and why not the others.

use crate::api::ModeOption;
use crate::model::{LicenseKind, Mode, Platform};

/// What the probe learnt about the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination<'a> {
    /// The administrator ticked "I don't have a URL".
    Private,
    /// Nothing answered, or not in time.
    Unreachable,
    /// Something answered, but not as a synclink instance.
    Unknown,
    /// A synclink instance answered with the modes it supports.
    Synclink {
        platform: Platform,
        modes: &'a [Mode],
    },
}

/// Every mode, in order, each available or not with the reason an administrator reads.
///
/// Rules: the licence comes first (free allows Basic only; expired allows nothing); a destination
/// that answers as synclink offers the modes both sides support; an unreachable, unknown or
/// private destination offers Script only, since the other side accepts from its own instance.
pub fn suggest(local: Platform, license: LicenseKind, dest: Destination<'_>) -> Vec<ModeOption> {
    Mode::ALL
        .into_iter()
        .map(|mode| {
            let reason = unavailable_reason(mode, local, license, dest);
            ModeOption {
                mode,
                available: reason.is_none(),
                reason,
            }
        })
        .collect()
}

fn unavailable_reason(
    mode: Mode,
    local: Platform,
    license: LicenseKind,
    dest: Destination<'_>,
) -> Option<String> {
    if !local.supported_modes().contains(&mode) {
        return Some(format!(
            "{} does not support {} mode.",
            local.label(),
            mode.label()
        ));
    }
    if !license.allows(mode) {
        return Some(match license {
            LicenseKind::Expired => "Your licence has expired.".to_string(),
            _ => format!(
                "Your {} licence allows Basic mode only.",
                license.label().to_ascii_lowercase()
            ),
        });
    }
    match dest {
        Destination::Synclink { platform, modes } => {
            if !modes.contains(&mode) {
                Some(format!(
                    "The destination ({}) does not support {} mode.",
                    platform.label(),
                    mode.label()
                ))
            } else {
                None
            }
        }
        _ if mode == Mode::Script => None,
        Destination::Private => Some(format!(
            "{} mode needs a destination URL; without one, only Script mode is possible.",
            mode.label()
        )),
        _ => Some(format!(
            "{} mode needs a destination that answers as a synclink instance.",
            mode.label()
        )),
    }
}

/// Why `mode` is not available for this pair, or None when it is: the reason of [`suggest`]
/// for that one mode, for the node's re-check of what the browser chose.
pub fn why_not(
    local: Platform,
    license: LicenseKind,
    dest: Destination<'_>,
    mode: Mode,
) -> Option<String> {
    unavailable_reason(mode, local, license, dest)
}

/// The mode selected by default: Script when it is available, else the first available one.
pub fn default_choice(options: &[ModeOption]) -> Option<Mode> {
    let available = |m: Mode| options.iter().any(|o| o.mode == m && o.available);
    if available(Mode::Script) {
        return Some(Mode::Script);
    }
    options.iter().find(|o| o.available).map(|o| o.mode)
}

/// True when `mode` is one of the available options; the node's re-check before it creates.
pub fn is_available(options: &[ModeOption], mode: Mode) -> bool {
    options.iter().any(|o| o.mode == mode && o.available)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn available(options: &[ModeOption]) -> Vec<Mode> {
        options
            .iter()
            .filter(|o| o.available)
            .map(|o| o.mode)
            .collect()
    }

    #[test]
    fn servicenow_to_jira_offers_basic_and_script() {
        let jira = Destination::Synclink {
            platform: Platform::Jira,
            modes: Platform::Jira.supported_modes(),
        };
        let opts = suggest(Platform::ServiceNow, LicenseKind::Trial, jira);
        assert_eq!(available(&opts), vec![Mode::Basic, Mode::Script]);
        let visual = &opts[1];
        assert_eq!(
            visual.reason.as_deref(),
            Some("ServiceNow does not support Visual mode.")
        );
        assert_eq!(default_choice(&opts), Some(Mode::Script));
    }

    #[test]
    fn jira_to_jira_offers_visual() {
        let jira = Destination::Synclink {
            platform: Platform::Jira,
            modes: Platform::Jira.supported_modes(),
        };
        let opts = suggest(Platform::Jira, LicenseKind::Paid, jira);
        assert_eq!(available(&opts), Mode::ALL.to_vec());
    }

    #[test]
    fn unknown_destinations_offer_script_only() {
        for dest in [
            Destination::Private,
            Destination::Unreachable,
            Destination::Unknown,
        ] {
            let opts = suggest(Platform::ServiceNow, LicenseKind::Trial, dest);
            assert_eq!(available(&opts), vec![Mode::Script], "{dest:?}");
            assert!(opts[0].reason.is_some());
        }
    }

    #[test]
    fn licences_limit_modes() {
        let jira = Destination::Synclink {
            platform: Platform::Jira,
            modes: Platform::Jira.supported_modes(),
        };
        let free = suggest(Platform::ServiceNow, LicenseKind::Free, jira);
        assert_eq!(available(&free), vec![Mode::Basic]);
        assert_eq!(
            free[2].reason.as_deref(),
            Some("Your free licence allows Basic mode only.")
        );
        assert_eq!(default_choice(&free), Some(Mode::Basic));
        let expired = suggest(Platform::ServiceNow, LicenseKind::Expired, jira);
        assert!(available(&expired).is_empty());
        assert_eq!(default_choice(&expired), None);
        let free_private = suggest(
            Platform::ServiceNow,
            LicenseKind::Free,
            Destination::Private,
        );
        assert!(available(&free_private).is_empty());
    }
}
