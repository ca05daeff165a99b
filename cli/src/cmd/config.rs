//! `siteserver config`: the new site's `sscms.json` or `Web.config`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::json;
use sscms_core::DatabaseConfig;
use sscms_core::config::files::ConfigFile;
use sscms_core::config::write::{
    Generation, NewConfig, generate_secret_key, provider_connection_string, sscms_json, web_config,
};

use super::absolute;
use crate::ConfigArgs;
use crate::out::{Outcome, say};

pub fn run(args: ConfigArgs) -> anyhow::Result<Outcome> {
    let config = super::database(&args.database)?;
    let generation = Generation::of_version(&args.to)?;
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(generation.file_name()));
    let options = Options {
        protect: args.protect,
        secret_key: args.secret_key.clone(),
        redis: args.redis.clone(),
        overwrite: args.overwrite,
    };
    write(&config, generation, &path, &options)
}

pub struct Options {
    pub protect: bool,
    pub secret_key: Option<String>,
    pub redis: String,
    pub overwrite: bool,
}

/// Writes the file and reads it back as the CMS would: a file this tool cannot read back
/// the same database from is never left behind.
pub fn write(
    config: &DatabaseConfig,
    generation: Generation,
    path: &Path,
    options: &Options,
) -> anyhow::Result<Outcome> {
    let exists = path.exists();
    if exists && !options.overwrite {
        bail!(
            "{} exists; nothing was written (use --overwrite to replace{})",
            absolute(path).display(),
            match generation {
                Generation::V6 => " its database keys",
                Generation::V7 => " it",
            }
        );
    }
    let new = NewConfig {
        database_type: config.database_type,
        connection_string: provider_connection_string(config, generation)?,
        protect: options.protect,
        secret_key: match &options.secret_key {
            Some(k) => k.clone(),
            None => generate_secret_key()?,
        },
        redis: options.redis.clone(),
    };
    let text = match generation {
        Generation::V7 => sscms_json(&new)?,
        Generation::V6 => {
            let old = if exists {
                Some(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("reading {}", path.display()))?,
                )
            } else {
                None
            };
            web_config(&new, old.as_deref().map(|t| (path, t)))?
        }
    };
    let tmp = path.with_extension("siteserver-tmp");
    std::fs::write(&tmp, &text).with_context(|| format!("writing {}", tmp.display()))?;
    let back = ConfigFile::read(&tmp)
        .and_then(|f| Ok((f.database_type()?, f.connection_string()?)))
        .map_err(anyhow::Error::from);
    let same = matches!(&back, Ok((Some(t), Some(c)))
        if t.eq_ignore_ascii_case(&new.database_type.to_string()) && *c == new.connection_string);
    if !same {
        let _ = std::fs::remove_file(&tmp);
        bail!(
            "{}: the written file does not read back as the same database ({:?}); nothing was written",
            absolute(path).display(),
            back.err().map(|e| e.to_string())
        );
    }
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    say!(
        "Wrote {} for {}: {} database, IsProtectData {}",
        absolute(path).display(),
        match generation {
            Generation::V6 => "SiteServer 6.x",
            Generation::V7 => "SSCMS 7.x",
        },
        new.database_type,
        new.protect
    );
    if generation == Generation::V6 && !exists {
        say!(
            "  note: this file holds only the appSettings; a 6.x site's own Web.config carries the rest: rerun with -o pointing at it and --overwrite to set these keys there"
        );
    }
    Ok(Outcome {
        ok: true,
        summary: json!({
            "file": absolute(path),
            "databaseType": new.database_type.to_string(),
            "isProtectData": new.protect,
            "edited": exists && generation == Generation::V6,
        }),
    })
}
