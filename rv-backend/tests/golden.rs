//! Golden files: each `tests/golden/NAME.wat` compiles to the RV64IM listing in
//! `tests/golden/NAME.s` (our disassembler, one function per section). `BLESS=1`
//! regenerates the listings; review them as diffs.
//!
//! The same test checks the listing against GNU objdump (`riscv64-unknown-elf-objdump`,
//! Debian `binutils-riscv64-unknown-elf`): every word of the code must be an RV64IM
//! instruction that objdump disassembles to the same text.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use rv_backend::abi::CODE_BASE;
use rv_backend::Compiled;
use rv_machine::isa::decode;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Our listing: the return stub, each function (by index, with its export names), then the
/// shared helpers.
fn listing(c: &Compiled) -> String {
    let words: Vec<u32> = c.words().collect();
    let mut starts: Vec<(usize, String)> = vec![(0, "return stub".into())];
    for (i, f) in c.funcs.iter().enumerate() {
        let names: Vec<&str> = c
            .exports
            .iter()
            .filter(|e| e.kind == rv_backend::ExportKind::Func && e.index as usize == i)
            .map(|e| e.name.as_str())
            .collect();
        let label = if names.is_empty() { format!("func {i}") } else { format!("func {i} ({})", names.join(", ")) };
        starts.push(((f.offset / 4) as usize, label));
    }
    let defined_end =
        c.funcs.last().map(|f| f.offset as usize / 4).unwrap_or(0) + c.function_sizes.last().copied().unwrap_or(0);
    if defined_end < words.len() {
        starts.push((defined_end, "helpers".into()));
    }
    starts.sort_by_key(|s| s.0);
    let mut out = String::new();
    for (k, (start, label)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(words.len(), |s| s.0);
        writeln!(out, "{label}:").unwrap();
        for (i, &w) in words.iter().enumerate().take(end).skip(*start) {
            let pc = CODE_BASE + 4 * i as u64;
            let text = decode(w).map_or_else(|| "<not RV64IM>".to_string(), |inst| inst.display_at(pc).to_string());
            writeln!(out, "  {:5x}: {w:08x}  {text}", 4 * i).unwrap();
        }
    }
    out
}

/// objdump's text for each word of `code`, in our syntax.
fn objdump(code: &[u8], name: &str) -> Vec<(u32, String)> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rv-backend-golden");
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join(format!("{name}-{}.bin", std::process::id()));
    std::fs::write(&bin, code).unwrap();
    let out = Command::new("riscv64-unknown-elf-objdump")
        .args(["-D", "-b", "binary", "-m", "riscv:rv64", "-M", "no-aliases"])
        .arg(format!("--adjust-vma={CODE_BASE:#x}"))
        .arg(&bin)
        .output()
        .unwrap_or_else(|e| {
            panic!("riscv64-unknown-elf-objdump: {e}: install the Debian package binutils-riscv64-unknown-elf")
        });
    assert!(out.status.success(), "objdump failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let parts: Vec<&str> = line.split('\t').collect();
            if parts.len() < 3 || !parts[0].trim_end().ends_with(':') {
                return None;
            }
            let word = u32::from_str_radix(parts[1].trim(), 16).ok()?;
            let mut text = parts[2].trim().to_string();
            if let Some(ops) = parts.get(3) {
                text.push(' ');
                text.push_str(&ops.split(" <").next().unwrap().split(" #").next().unwrap().trim().replace(',', ", "));
            }
            Some((word, text))
        })
        .collect()
}

#[test]
fn golden_listings() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut names: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "golden inputs missing");
    let mut stale = Vec::new();
    for wat_path in names {
        let name = wat_path.file_stem().unwrap().to_string_lossy().to_string();
        let wasm = wat::parse_file(&wat_path).unwrap();
        let c = rv_backend::compile(&wasm).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = listing(&c);
        // Every word is RV64IM, and objdump reads it as we do.
        let theirs = objdump(&c.code, &name);
        assert_eq!(theirs.len(), c.code.len() / 4, "{name}: objdump listed another number of words");
        for (i, (w, (tw, text))) in c.words().zip(&theirs).enumerate() {
            assert_eq!(w, *tw, "{name}: word {i}");
            let inst = decode(w).unwrap_or_else(|| panic!("{name}: word {i} ({w:#010x}) is not RV64IM"));
            let ours = inst.display_at(CODE_BASE + 4 * i as u64).to_string();
            assert_eq!(&ours, text, "{name}: word {i} ({w:#010x})");
        }
        let expected_path = golden_dir().join(format!("{name}.s"));
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != got {
            stale.push(name.clone());
            println!("--- {name}.s differs; got:\n{got}");
        }
    }
    assert!(stale.is_empty(), "golden listings differ: {stale:?} (BLESS=1 regenerates them)");
}
