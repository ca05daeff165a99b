//! SiteServer version strings as the config row stores them (`3.6.4`, `4.1.1603`, `5.0`, `6.15.51`).

use semver::Version;

/// Parses a SiteServer version string into a semver version.
///
/// One to four dot-separated numbers are accepted; missing parts are 0 and a fourth part (the
/// .NET revision) is dropped. A leading `v` is allowed.
pub fn parse_version(s: &str) -> Result<Version, String> {
    let t = s.trim();
    let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
    let parts: Vec<&str> = t.split('.').collect();
    if t.is_empty() || parts.len() > 4 {
        return Err(format!("`{s}` is not a version such as 4.1 or 6.15.51"));
    }
    let mut nums = [0u64; 3];
    for (i, p) in parts.iter().enumerate() {
        let n = p
            .parse::<u64>()
            .map_err(|_| format!("`{s}` is not a version such as 4.1 or 6.15.51"))?;
        if let Some(slot) = nums.get_mut(i) {
            *slot = n;
        }
    }
    Ok(Version::new(nums[0], nums[1], nums[2]))
}

/// Returns true if and only if `version` is the version `target` names: `4.1` names every
/// 4.1.x, `6.15.51` only itself.
pub fn names(target: &str, version: &Version) -> bool {
    let Ok(t) = parse_version(target) else {
        return false;
    };
    let given = target.trim().split('.').count();
    t.major == version.major
        && (given < 2 || t.minor == version.minor)
        && (given < 3 || t.patch == version.patch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_strings_siteserver_wrote() {
        for (s, want) in [
            ("3.6", "3.6.0"),
            ("3.6.4", "3.6.4"),
            ("4.1.1603", "4.1.1603"),
            ("5.0", "5.0.0"),
            ("5.1", "5.1.0"),
            ("6.15.51", "6.15.51"),
            ("6.15.51.0", "6.15.51"),
            (" v7.4.0 ", "7.4.0"),
            ("4", "4.0.0"),
        ] {
            assert_eq!(parse_version(s).unwrap().to_string(), want, "{s}");
        }
        for bad in ["", "abc", "4.x", "1.2.3.4.5", "-1"] {
            assert!(parse_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_short_target_names_every_patch() {
        let v = Version::new(4, 1, 1603);
        assert!(names("4.1", &v));
        assert!(names("4", &v));
        assert!(names("4.1.1603", &v));
        assert!(!names("4.1.0", &v));
        assert!(!names("4.0", &v));
    }
}
