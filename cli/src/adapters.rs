//! Links every adapter crate into the binary: `inventory` only sees crates that are named.
