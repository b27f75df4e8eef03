//! A document's identity and state: its version, its status and who reviewed
//! and approved it when (spec §5, document control).
//!
//! One type for the state of a document version ([`DocState`]): the ledger
//! stores it, the batch decides it, the report builder prints it.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Document status (草稿 draft / 已审核 reviewed / 已批准 approved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    Draft,
    Reviewed,
    Approved,
}

impl DocStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Draft => "draft",
            DocStatus::Reviewed => "reviewed",
            DocStatus::Approved => "approved",
        }
    }
    /// The inverse of [`DocStatus::as_str`].
    pub fn parse(s: &str) -> Option<DocStatus> {
        match s {
            "draft" => Some(DocStatus::Draft),
            "reviewed" => Some(DocStatus::Reviewed),
            "approved" => Some(DocStatus::Approved),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            DocStatus::Draft => "草稿",
            DocStatus::Reviewed => "已审核",
            DocStatus::Approved => "已批准",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            DocStatus::Draft => "Draft",
            DocStatus::Reviewed => "Reviewed",
            DocStatus::Approved => "Approved",
        }
    }
}

/// How a review or an approval was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOff {
    /// Recorded before signatures existed (ledger schema 1): by name, unsigned.
    Legacy,
    /// By name, unsigned (a workspace with `approval = "name"`, or whose
    /// catalogue lists no people): marked 未签名.
    Unsigned,
    /// Signed with the person's SSH key (sshsig).
    Signed,
}

impl SignOff {
    pub fn as_str(self) -> &'static str {
        match self {
            SignOff::Legacy => "legacy",
            SignOff::Unsigned => "unsigned",
            SignOff::Signed => "signed",
        }
    }
    /// The inverse of [`SignOff::as_str`].
    pub fn parse(s: &str) -> Option<SignOff> {
        [SignOff::Legacy, SignOff::Unsigned, SignOff::Signed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A document version `major.minor` (`1.0`, `1.1`, `2.0`); serialised as that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocVersion {
    pub major: u32,
    pub minor: u32,
}

impl DocVersion {
    pub const FIRST: DocVersion = DocVersion { major: 1, minor: 0 };
    pub fn next_minor(self) -> DocVersion {
        DocVersion {
            major: self.major,
            minor: self.minor + 1,
        }
    }
    pub fn next_major(self) -> DocVersion {
        DocVersion {
            major: self.major + 1,
            minor: 0,
        }
    }
    /// Parse `1.0`, `V1.1`, `v2.0`.
    pub fn parse(s: &str) -> Option<DocVersion> {
        let t = s.trim().trim_start_matches(['v', 'V']);
        let (a, b) = t.split_once('.')?;
        Some(DocVersion {
            major: a.parse().ok()?,
            minor: b.parse().ok()?,
        })
    }
}

impl std::fmt::Display for DocVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Serialize for DocVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DocVersion::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("\"{s}\" is not a version like 1.0")))
    }
}

/// The state of one document version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocState {
    pub version: DocVersion,
    pub status: DocStatus,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub approved_by: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    /// How the review and the approval were taken (signed or not).
    pub reviewed_how: Option<SignOff>,
    pub approved_how: Option<SignOff>,
    /// The approved version this one replaces (a correction after approval).
    pub supersedes: Option<DocVersion>,
}

impl DocState {
    /// A draft of `version`, nobody's review or approval yet.
    pub fn draft(version: DocVersion, supersedes: Option<DocVersion>) -> DocState {
        DocState {
            version,
            status: DocStatus::Draft,
            reviewed_by: None,
            reviewed_at: None,
            approved_by: None,
            approved_at: None,
            reviewed_how: None,
            approved_how: None,
            supersedes,
        }
    }
}

impl Default for DocState {
    fn default() -> Self {
        DocState::draft(DocVersion::FIRST, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_print_and_serialise_as_text() {
        let v = DocVersion::parse("V2.1").unwrap();
        assert_eq!(v, DocVersion { major: 2, minor: 1 });
        assert_eq!(v.to_string(), "2.1");
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"2.1\"");
        assert_eq!(
            serde_json::from_str::<DocVersion>("\"1.0\"").unwrap(),
            DocVersion::FIRST
        );
        assert!(serde_json::from_str::<DocVersion>("\"one\"").is_err());
        assert_eq!(DocVersion::parse("1"), None);
        assert_eq!(v.next_minor().to_string(), "2.2");
        assert_eq!(v.next_major().to_string(), "3.0");
    }

    #[test]
    fn sign_off_round_trips() {
        for s in [SignOff::Legacy, SignOff::Unsigned, SignOff::Signed] {
            assert_eq!(SignOff::parse(s.as_str()), Some(s));
        }
        assert_eq!(SignOff::parse("maybe"), None);
    }

    #[test]
    fn status_round_trips() {
        for s in [DocStatus::Draft, DocStatus::Reviewed, DocStatus::Approved] {
            assert_eq!(DocStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(DocStatus::parse("final"), None);
    }
}
