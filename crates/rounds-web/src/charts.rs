//! Server-side SVG charts (plotters' SVG backend), embedded in pages as inline markup.
