//! Named places where a test can have the process killed, to show that a run survives a
//! crash exactly there. `SLANT_KILL_AT=NAME:N` sends the process SIGKILL (no destructor runs,
//! no buffer is flushed: what a machine failure or the OOM killer does) the N-th time it
//! passes `kill_point(NAME)`. Unset, a kill point costs one relaxed atomic load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

struct Plan {
    name: String,
    at: u64,
    passed: AtomicU64,
}

fn plan() -> Option<&'static Plan> {
    static PLAN: OnceLock<Option<Plan>> = OnceLock::new();
    PLAN.get_or_init(|| {
        let value = std::env::var("SLANT_KILL_AT").ok()?;
        let (name, at) = value.rsplit_once(':')?;
        Some(Plan {
            name: name.to_string(),
            at: at.parse().ok()?,
            passed: AtomicU64::new(0),
        })
    })
    .as_ref()
}

/// Kills the process here if `SLANT_KILL_AT` names this point and its count is reached.
pub fn kill_point(name: &str) {
    let Some(plan) = plan() else { return };
    if plan.name == name && plan.passed.fetch_add(1, Ordering::Relaxed) + 1 == plan.at {
        kill_self();
    }
}

#[cfg(unix)]
fn kill_self() -> ! {
    // SAFETY: kill(2) on our own pid has no memory effects; SIGKILL cannot be caught.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
    unreachable!("SIGKILL returned")
}

#[cfg(not(unix))]
fn kill_self() -> ! {
    std::process::abort()
}
