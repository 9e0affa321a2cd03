#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tailscale_fuzz_targets::access(data));
