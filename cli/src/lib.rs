//! The `siteserver` command line.
