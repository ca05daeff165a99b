//! Row keys as the original tools write them (Newtonsoft's camel-casing of dictionary keys).

/// Camel-cases a column name exactly as Newtonsoft's `ToCamelCase` does.
///
/// The leading run of capitals is lowered, except the last one of a run that is followed by a
/// lower-case letter: `PublishmentSystemID` -> `publishmentSystemID`, `IPAddress` -> `ipAddress`.
pub fn camel_case(name: &str) -> String {
    if name.is_ascii() {
        camel_case_ascii(name)
    } else {
        camel_case_chars(name)
    }
}

fn camel_case_chars(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.first().is_none_or(|c| !c.is_uppercase()) {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if i == 1 && !c.is_uppercase() {
            break;
        }
        if i > 0
            && let Some(&next) = chars.get(i + 1)
            && !next.is_uppercase()
        {
            // Newtonsoft lowers this one only before a separator such as a space.
            if next.is_whitespace() && !next.is_control() {
                out.extend(c.to_lowercase());
                i += 1;
            }
            break;
        }
        out.extend(c.to_lowercase());
        i += 1;
    }
    out.extend(&chars[i..]);
    out
}

/// [`camel_case`] for the usual ASCII name, without collecting its chars: the only ASCII
/// separator that is whitespace and no control character is the space.
fn camel_case_ascii(name: &str) -> String {
    let b = name.as_bytes();
    if b.first().is_none_or(|c| !c.is_ascii_uppercase()) {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if i == 1 && !c.is_ascii_uppercase() {
            break;
        }
        if i > 0
            && let Some(&next) = b.get(i + 1)
            && !next.is_ascii_uppercase()
        {
            if next == b' ' {
                out.push(char::from(c.to_ascii_lowercase()));
                i += 1;
            }
            break;
        }
        out.push(char::from(c.to_ascii_lowercase()));
        i += 1;
    }
    out.push_str(&name[i..]);
    out
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn matches_the_spec_examples() {
        for (input, expected) in [
            ("Id", "id"),
            ("SiteId", "siteId"),
            ("ID", "id"),
            ("IPAddress", "ipAddress"),
            ("ContentID", "contentID"),
            ("PublishmentSystemID", "publishmentSystemID"),
            ("SITEID", "siteid"),
            ("siteid", "siteid"),
            ("row_num", "row_num"),
            ("Top", "top"),
            ("", ""),
            ("A", "a"),
            ("AB C", "ab C"),
            ("网站", "网站"),
        ] {
            assert_eq!(camel_case(input), expected, "{input}");
        }
    }

    /// Every string of up to five of these characters camel-cases on the ASCII path as on
    /// the general one.
    #[test]
    fn the_ascii_path_is_the_general_one() {
        let alphabet = ['A', 'b', 'Z', ' ', '\t', '_', '1'];
        let mut names = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(longer);
            names.dedup();
        }
        assert!(names.len() > 10_000);
        for name in &names {
            assert_eq!(
                super::camel_case_ascii(name),
                super::camel_case_chars(name),
                "{name:?}"
            );
        }
    }
}
