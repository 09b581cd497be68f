//! `zkos new` (being written; see issue 15).

use crate::error::{Error, Result};

/// Arguments of `zkos new`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `zkos new`.
pub fn main(_args: &Args) -> Result<()> {
    Err(Error::Config("zkos new is not built yet".into()))
}
