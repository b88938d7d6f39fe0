//! The `isolint` binary: parse the command line, run the library, map the outcome to an
//! exit code (0 clean, 1 findings, 2 usage/config/rule-pack error).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use isolint::cli::Cli;
use isolint::commands::{self, Exit, Stop};

// glibc's malloc spends a fifth of a scan in its own locks and consolidation; mimalloc's
// per-thread heaps suit many small, short-lived parse trees built in parallel.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // With transparent huge pages, each first touch of the allocator's fresh memory
    // zeroes 2 MiB: a tenth of a scan's CPU went to the kernel's page clearing. Opting
    // this process (and the helm/kustomize it runs) out costs nothing where THP is off.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = Cli::parse();
    // Stdout is line-buffered by default; a report is hundreds of thousands of lines.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let result = commands::run(cli, &mut stdout);
    let flushed = stdout.flush();
    match (result, flushed) {
        (Err(Stop::BrokenPipe), _) => ExitCode::SUCCESS,
        (Err(Stop::Fatal(e)), _) => {
            let color = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            #[expect(clippy::print_stderr, reason = "main owns stderr")]
            {
                eprint!("{}", isolint::report::fatal::render(&e, color));
            }
            ExitCode::from(2)
        }
        (Ok(_), Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        (Ok(_), Err(e)) => {
            #[expect(clippy::print_stderr, reason = "main owns stderr")]
            {
                eprintln!("error: cannot write output: {e}");
            }
            ExitCode::from(2)
        }
        (Ok(Exit::Clean), Ok(())) => ExitCode::SUCCESS,
        (Ok(Exit::Failed), Ok(())) => ExitCode::from(1),
    }
}
