//! Converts SiteServer 3.6 backup tables to the next version's layout (in progress).
