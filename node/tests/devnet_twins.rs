//! The macro examples against their Solidity twins on `zkos node` through ethers v6
//! (tests/js/twins.mjs): the vault, the ERC-20 and the ERC-721 (examples/out, built by
//! examples/build.sh) and Vault.sol, Token.sol and Nft.sol (solc-js) receive the same calls,
//! and every outcome (eth_call result or decoded custom error, mined status, decoded events,
//! ether moved, views) must be the same on both. The node starts on a free loopback port
//! (`--port 0`, the port read from its banner), as in devnet_clients.rs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

const ZKOS: &str = env!("CARGO_BIN_EXE_zkos");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A `zkos node` child, killed when dropped.
struct DevNode {
    child: Child,
    url: String,
    log: PathBuf,
}

impl DevNode {
    /// Starts a node and waits until it listens.
    fn start(dir: &Path) -> DevNode {
        let log = dir.join("node.log");
        let out = std::fs::File::create(&log).unwrap();
        let mut child = Command::new(ZKOS)
            .args(["node", "--host", "127.0.0.1", "--port", "0"])
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("zkos node starts");
        let start = Instant::now();
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(rest) = text.lines().find_map(|l| l.strip_prefix("Listening on ")) {
                let addr = rest.split_whitespace().next().unwrap();
                let url = format!("http://{addr}");
                return DevNode { child, url, log };
            }
            if start.elapsed() > Duration::from_secs(60) || !matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("zkos node did not start:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for DevNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `node tests/js/<script> <url>`, its output printed (`zkos abi` through $ZKOS).
fn node_js(script: &str, url: &str) -> Output {
    let js = repo().join("tests/js");
    assert!(
        js.join("node_modules/ethers").is_dir() && js.join("node_modules/solc").is_dir(),
        "tests/js/node_modules is missing: run scripts/setup.sh (npm ci in tests/js)"
    );
    for name in ["vault", "erc20-macro", "erc721-macro"] {
        let file = repo().join(format!("examples/out/{name}.wasm"));
        assert!(file.is_file(), "{} is missing: run examples/build.sh", file.display());
    }
    let out = Command::new("node")
        .arg(js.join(script))
        .arg(url)
        .env("ZKOS", ZKOS)
        .output()
        .expect("node (Node.js) runs: scripts/setup.sh installs it");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[test]
fn macro_examples_behave_as_their_solidity_twins_under_ethers() {
    let dir = tempfile::tempdir().unwrap();
    let node = DevNode::start(dir.path());
    let out = node_js("twins.mjs", &node.url);
    assert!(
        out.status.success(),
        "twins.mjs failed ({}):\n{}\n{}\n--- node log (tail) ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        tail(&node.log(), 40)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("twins: all checks passed"), "{text}");
    // Every pair was deployed and compared (a script that stopped early cannot pass).
    for label in ["vault deployed", "erc20 deployed", "erc721 deployed", "erc721 at the end views"] {
        assert!(text.lines().any(|l| l.starts_with(&format!("ok   {label}"))), "no `{label}` step in\n{text}");
    }
}
