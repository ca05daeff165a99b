//! Column names looked up case-insensitively for every key of every row.

use std::collections::HashSet;

/// A set of column names matched as the original tools match keys, case-insensitively. The
/// names are lower-cased once and hashed with FNV-1a, which for short names costs a fraction of
/// the standard SipHash; an ASCII key is lower-cased on the stack.
#[derive(Debug, Clone, Default)]
pub struct NameSet {
    lower: HashSet<String, Fnv>,
}

impl NameSet {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        NameSet {
            lower: names.into_iter().map(str::to_lowercase).collect(),
        }
    }

    /// Whether `name` is one of the names, in any case.
    pub fn contains(&self, name: &str) -> bool {
        if name.is_ascii() && name.len() <= 64 {
            let mut buf = [0u8; 64];
            let lower = &mut buf[..name.len()];
            lower.copy_from_slice(name.as_bytes());
            lower.make_ascii_lowercase();
            // ASCII stays UTF-8 when lower-cased, and `to_lowercase` gives the same.
            return std::str::from_utf8(lower).is_ok_and(|l| self.lower.contains(l));
        }
        self.lower.contains(&name.to_lowercase())
    }
}

/// FNV-1a, for the short column names looked up for every value.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Fnv;

pub(crate) struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NameSet;

    #[test]
    fn names_match_in_any_case() {
        let set = NameSet::new(["SiteId", "Title", "网站", "ÄÖ"]);
        for hit in ["siteid", "SITEID", "SiteId", "title", "网站", "äö", "ÄÖ"] {
            assert!(set.contains(hit), "{hit}");
        }
        let long = "x".repeat(100);
        for miss in ["Site", "SiteIds", "", long.as_str()] {
            assert!(!set.contains(miss), "{miss}");
        }
        assert!(NameSet::new([long.as_str()]).contains(&long.to_uppercase()));
    }
}
