//! SiteServer's config files: Web.config and sscms.json text, the raw bytes through
//! `ConfigFile::read`, and the (possibly DES-protected) values they hold.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sscms_core::config::files::ConfigFile;
use sscms_core::config::protect;

fn check(file: &ConfigFile, text: &str) {
    let _ = file.has_database_settings();
    let _ = file.database_type();
    let _ = file.connection_string();
    if let Some(key) = file.secret_key.as_deref()
        && !protect::is_sm4_key(key)
        && let Ok(enc) = protect::encrypt(key, text)
    {
        assert_eq!(protect::decrypt(key, &enc).ok().as_deref(), Some(text));
    }
}

/// One folder per process for the `read` case; libFuzzer runs inputs one after another.
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fuzz_target!(|data: &[u8]| {
    let path = scratch().join("Web.config");
    std::fs::write(&path, data).unwrap();
    if let Ok(file) = ConfigFile::read(&path) {
        let _ = file.database_type();
        let _ = file.connection_string();
    }

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(file) = ConfigFile::parse_web_config(Path::new("/site/Web.config"), text) {
        check(&file, text);
    }
    if let Ok(file) = ConfigFile::parse_sscms_json(Path::new("/site/sscms.json"), text) {
        check(&file, text);
    }
});
