//! kiwoom-mock (placeholder).
