//! Links every adapter crate into the binary: `inventory` only sees crates that are named.

use sscms_adapter_v3_6 as _;
use sscms_adapter_v4_0 as _;
use sscms_adapter_v4_1 as _;
use sscms_adapter_v5_0 as _;
use sscms_adapter_v6 as _;
