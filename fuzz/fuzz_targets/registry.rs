#![no_main]
//! The registry parser on arbitrary bytes: a registry or an error, never a panic.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|bytes: &[u8]| {
    let path = common::file("actors.csv", bytes);
    if let Ok(registry) = slant::actors::Registry::load(&[path]) {
        let _ = slant::actors::Matcher::new(&registry);
    }
});
