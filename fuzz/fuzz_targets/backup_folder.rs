//! A backup folder built from the input, read the way `restore` and `update` read it.
//!
//! The input is split on NUL bytes into `_tables.json`, `_metadata.json` (written for every
//! listed table), the row file (written under every name the metadata lists) and an optional
//! `_manifest.json`. Missing parts get small valid defaults, so short inputs reach the row reader.
#![no_main]

use std::fs;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sscms_core::BackupReader;
use sscms_core::backup::{MANIFEST_FILE, METADATA_FILE, RowKeys, TABLES_FILE};

const TABLES: &[u8] = br#"["t"]"#;
const META: &[u8] = br#"{"columns":[{"attributeName":"Id","dataType":"Integer","isPrimaryKey":true,"isIdentity":true},{"attributeName":"Title","dataType":"VarChar","dataLength":50}],"totalCount":1,"rows":["1.json"]}"#;
const ROWS: &[u8] = br#"[{"id":1,"title":"a"}]"#;
/// Bounds the work one input can ask for.
const MAX_TABLES: usize = 4;
const MAX_ROW_FILES: usize = 4;

fn tmp_root() -> &'static Path {
    // tmpfs keeps the per-input folders off the disk.
    let shm = Path::new("/dev/shm");
    if shm.is_dir() { shm } else { Path::new("/tmp") }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let tables = parts.next().unwrap_or(TABLES);
    let meta = parts.next().unwrap_or(META);
    let rows = parts.next().unwrap_or(ROWS);
    let manifest = parts.next();

    let Ok(tmp) = tempfile::Builder::new()
        .prefix("sscms-fuzz")
        .tempdir_in(tmp_root())
    else {
        return;
    };
    let dir = tmp.path();
    fs::write(dir.join(TABLES_FILE), tables).unwrap();
    if let Some(m) = manifest {
        fs::write(dir.join(MANIFEST_FILE), m).unwrap();
    }

    let Ok(reader) = BackupReader::open(dir) else {
        return;
    };
    let _ = reader.manifest();
    for table in reader.tables().iter().take(MAX_TABLES) {
        // A name the file system refuses (too long, say) simply has no folder.
        if fs::create_dir(dir.join(table)).is_ok() {
            let _ = fs::write(dir.join(table).join(METADATA_FILE), meta);
        }
        let Ok(data) = reader.table(table) else {
            continue;
        };
        let keys = RowKeys::new(&data.meta);
        for file in data.row_files.iter().take(MAX_ROW_FILES) {
            let _ = fs::write(reader.row_file_path(table, file), rows);
            let _ = reader.read_rows(table, file, |_, row| {
                let _ = keys.align(row);
                Ok(())
            });
        }
    }
    let _ = reader.verify_manifest_files();
});
