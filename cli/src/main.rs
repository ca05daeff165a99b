use std::process::ExitCode;

use clap::Parser;

mod alloc;

#[global_allocator]
static GLOBAL: alloc::Tuned = alloc::Tuned;

fn main() -> ExitCode {
    let cli = sscms_cli::Cli::parse();
    match sscms_cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
