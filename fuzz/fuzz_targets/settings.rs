//! The `key=value&…` settings codec: decoding never panics, and encoding round trips.
//!
//! The input is read as a settings string, and also as `\x01`-separated key, value, key, …
//! fields collected into a [`Settings`] with `set`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sscms_core::settings::{Settings, escape_value, is_json_form, unescape_value};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };

    let parsed = Settings::parse(s);
    let encoded = parsed.encode();
    assert!(!is_json_form(&encoded), "{encoded:?} would be read as JSON");
    let again = Settings::parse(&encoded);
    assert_eq!(again, parsed, "parse(encode(x)) != x for {s:?}");
    assert_eq!(
        again.encode(),
        encoded,
        "encode(parse(s)) != s for {encoded:?}"
    );
    let _ = parsed.to_json();
    if let Some((key, _)) = parsed.iter().next() {
        let key = key.to_string();
        let first = parsed.get(&key).map(str::to_string);
        assert_eq!(parsed.get_all(&key).next().map(str::to_string), first);
        let mut removed = parsed.clone();
        assert_eq!(removed.remove(&key), first);
        assert!(removed.get(&key).is_none());
    }

    let fields: Vec<&str> = s.split('\u{1}').collect();
    let built: Settings = fields
        .chunks(2)
        .map(|c| (c[0], c.get(1).copied().unwrap_or_default()))
        .collect();
    assert_eq!(Settings::parse(&built.encode()), built);
    for field in fields {
        let escaped = escape_value(field);
        assert!(
            !escaped.contains(['=', '&']) && !escaped.contains("/u0026"),
            "escape_value({field:?}) = {escaped:?}"
        );
        assert_eq!(unescape_value(&escaped), field);
    }
});
