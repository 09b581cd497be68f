//! Transaction decoding and sender recovery (being written).
