//! Gas metering injection (being written).
