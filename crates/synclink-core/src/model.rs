//! The words of the product: platforms, modes, statuses, licences.

use serde::{Deserialize, Serialize};

/// The tracker an instance runs.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    #[serde(rename = "servicenow")]
    ServiceNow,
    Jira,
    Zendesk,
    AzureDevops,
    #[serde(rename = "github")]
    GitHub,
    Salesforce,
}

impl Platform {
    pub const ALL: [Platform; 6] = [
        Platform::ServiceNow,
        Platform::Jira,
        Platform::Zendesk,
        Platform::AzureDevops,
        Platform::GitHub,
        Platform::Salesforce,
    ];

    /// The name administrators read.
    pub fn label(self) -> &'static str {
        match self {
            Platform::ServiceNow => "ServiceNow",
            Platform::Jira => "Jira",
            Platform::Zendesk => "Zendesk",
            Platform::AzureDevops => "Azure DevOps",
            Platform::GitHub => "GitHub",
            Platform::Salesforce => "Salesforce",
        }
    }

    /// The identifier used on the command line and in the API.
    pub fn id(self) -> &'static str {
        match self {
            Platform::ServiceNow => "servicenow",
            Platform::Jira => "jira",
            Platform::Zendesk => "zendesk",
            Platform::AzureDevops => "azure_devops",
            Platform::GitHub => "github",
            Platform::Salesforce => "salesforce",
        }
    }

    pub fn from_id(id: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The configuration modes this platform's synclink supports. Visual needs both sides to
    /// support it, and ServiceNow does not.
    pub fn supported_modes(self) -> &'static [Mode] {
        match self {
            Platform::ServiceNow => &[Mode::Basic, Mode::Script],
            _ => &[Mode::Basic, Mode::Visual, Mode::Script],
        }
    }

    /// Ok when this platform's synclink supports `mode`, else the reason an administrator reads.
    pub fn supports(self, mode: Mode) -> Result<(), String> {
        if self.supported_modes().contains(&mode) {
            Ok(())
        } else {
            Err(format!(
                "{} does not support {} mode.",
                self.label(),
                mode.label()
            ))
        }
    }

    pub(crate) fn code(self) -> u8 {
        match self {
            Platform::ServiceNow => 1,
            Platform::Jira => 2,
            Platform::Zendesk => 3,
            Platform::AzureDevops => 4,
            Platform::GitHub => 5,
            Platform::Salesforce => 6,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// How a connection's sync is configured. Chosen once; it can never be changed afterwards.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Mode {
    Basic,
    Visual,
    Script,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Basic, Mode::Visual, Mode::Script];

    pub fn label(self) -> &'static str {
        match self {
            Mode::Basic => "Basic",
            Mode::Visual => "Visual",
            Mode::Script => "Script",
        }
    }

    /// One line an administrator reads next to the radio button.
    pub fn blurb(self) -> &'static str {
        match self {
            Mode::Basic => "Predefined mappings for the most common fields; nothing to configure.",
            Mode::Visual => "Configure the sync in a drag-and-drop editor on one side.",
            Mode::Script => "Each side writes its own sync rules as scripts.",
        }
    }

    pub fn from_label(label: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.label() == label)
    }

    pub(crate) fn code(self) -> u8 {
        match self {
            Mode::Basic => 1,
            Mode::Visual => 2,
            Mode::Script => 3,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// Where a connection stands. Shown with these words.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Status {
    Pending,
    Active,
    Deactivated,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "Pending",
            Status::Active => "Active",
            Status::Deactivated => "Deactivated",
        }
    }

    pub fn from_label(label: &str) -> Option<Status> {
        [Status::Pending, Status::Active, Status::Deactivated]
            .into_iter()
            .find(|s| s.label() == label)
    }
}

/// The licence an instance runs under.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[serde(rename_all = "snake_case")]
pub enum LicenseKind {
    /// The evaluation period.
    Trial,
    Paid,
    Expired,
    /// Basic mode only.
    Free,
}

impl LicenseKind {
    pub fn label(self) -> &'static str {
        match self {
            LicenseKind::Trial => "Trial",
            LicenseKind::Paid => "Paid",
            LicenseKind::Expired => "Expired",
            LicenseKind::Free => "Free",
        }
    }

    pub fn from_id(id: &str) -> Option<LicenseKind> {
        match id {
            "trial" => Some(LicenseKind::Trial),
            "paid" => Some(LicenseKind::Paid),
            "expired" => Some(LicenseKind::Expired),
            "free" => Some(LicenseKind::Free),
            _ => None,
        }
    }

    /// The modes this licence lets an administrator initiate or accept.
    pub fn allows(self, mode: Mode) -> bool {
        match self {
            LicenseKind::Trial | LicenseKind::Paid => true,
            LicenseKind::Free => mode == Mode::Basic,
            LicenseKind::Expired => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_ids_round_trip_and_match_serde() {
        for p in Platform::ALL {
            assert_eq!(Platform::from_id(p.id()), Some(p));
            assert_eq!(Platform::from_code(p.code()), Some(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.id()));
        }
    }

    #[test]
    fn servicenow_has_no_visual_mode() {
        assert!(
            !Platform::ServiceNow
                .supported_modes()
                .contains(&Mode::Visual)
        );
        assert!(Platform::Jira.supported_modes().contains(&Mode::Visual));
    }

    #[test]
    fn free_licence_allows_basic_only_and_expired_nothing() {
        assert!(LicenseKind::Free.allows(Mode::Basic));
        assert!(!LicenseKind::Free.allows(Mode::Script));
        assert!(Mode::ALL.iter().all(|m| !LicenseKind::Expired.allows(*m)));
        assert!(Mode::ALL.iter().all(|m| LicenseKind::Trial.allows(*m)));
    }
}
