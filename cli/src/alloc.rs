//! The binary's allocator: mimalloc, told to hand freed memory back to the OS soon.
//!
//! `update` passes rows from one hop's thread to the next, and glibc's malloc then spends more
//! time on its arena locks than on the rows (a free from another thread takes the arena's lock).
//! mimalloc frees across threads without a lock. Its defaults commit whole arenas, which doubled
//! restore's peak RSS; committing on demand keeps it below glibc's. Freed pages go back after
//! 10 ms: purging at once cost `update` 8% more time in `madvise`, page faults and the other
//! core's TLB flushes, for 3 MB less peak RSS.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::{c_int, c_long};
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

// libmimalloc-sys declares `mi_option_set` only with its `extended` feature, and not these two
// options; their numbers are those of `mi_option_e` in the bundled mimalloc.h.
unsafe extern "C" {
    fn mi_option_set(option: c_int, value: c_long);
}
const MI_OPTION_ARENA_EAGER_COMMIT: c_int = 4;
const MI_OPTION_PURGE_DELAY: c_int = 15;
const PURGE_DELAY_MS: c_long = 10;

pub struct Tuned;

static TUNED: AtomicBool = AtomicBool::new(false);

impl Tuned {
    /// Before the first allocation, since mimalloc reads arena options when it makes its first
    /// arena; a second thread racing here only sets the same values again.
    #[inline]
    fn tune() {
        if !TUNED.load(Ordering::Relaxed) {
            // SAFETY: setting an option allocates nothing and is allowed at any time.
            unsafe {
                mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
                mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
            }
            TUNED.store(true, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call goes to mimalloc, which upholds GlobalAlloc's contract.
unsafe impl GlobalAlloc for Tuned {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::tune();
        unsafe { MiMalloc.alloc(layout) }
    }
    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::tune();
        unsafe { MiMalloc.alloc_zeroed(layout) }
    }
    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }
    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { MiMalloc.realloc(ptr, layout, new_size) }
    }
}
